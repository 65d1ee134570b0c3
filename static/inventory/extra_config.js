/* extra_config on forms: the help rows follow the ticked (or typed, aliases included)
   capabilities, and each row's input edits its key in the JSON editor, which stays the one
   value sent. Without this script the help shows the capabilities as last saved or sent,
   and the JSON editor is edited directly. */
function extraConfigHelp() {
  var box = document.querySelector("[data-extra-config]");
  if (!box) {
    return;
  }
  var form = box.closest("form");
  var editor = document.getElementById(box.getAttribute("data-editor"));
  if (!form || !editor) {
    return;
  }
  var details = editor.closest("details");
  var note = box.querySelector("[data-json-note]");
  var aliasData = document.getElementById("capability-aliases");
  var aliases = aliasData ? JSON.parse(aliasData.textContent) : {};
  var groups = box.querySelectorAll("tbody[data-capabilities]");
  var inputs = box.querySelectorAll("[data-extra-key]");

  function spell(token) {
    var word = token.trim().toLowerCase().replace(/[-\s]+/g, "_");
    return aliases[word] || word;
  }

  function selected() {
    var field = form.elements.namedItem("capabilities");
    var tokens = [];
    if (field && field.type === "text") {
      tokens = field.value.split(",");
    } else {
      form.querySelectorAll('input[name="capabilities"]:checked').forEach(function (box) {
        tokens.push(box.value);
      });
    }
    var names = [];
    tokens.map(spell).forEach(function (name) {
      if (name && names.indexOf(name) < 0) {
        names.push(name);
      }
    });
    return names;
  }

  function follow() {
    var names = selected();
    var any = false;
    groups.forEach(function (group) {
      var allowed = (group.getAttribute("data-capabilities") || "").split(" ");
      var shown = group.hasAttribute("data-any-model") || names.some(function (name) {
        return allowed.indexOf(name) >= 0;
      });
      group.hidden = !shown;
      any = any || shown;
    });
    box.querySelector("[data-help-selected]").textContent = names.length ? names.join(", ") : "no capability";
    box.querySelector("[data-help-none]").hidden = any;
  }

  function parsed() {
    var text = editor.value.trim();
    if (!text) {
      return {};
    }
    try {
      var value = JSON.parse(text);
      return value && typeof value === "object" && !Array.isArray(value) ? value : null;
    } catch (error) {
      return null;
    }
  }

  function read(config, path) {
    return path.split(".").reduce(function (part, key) {
      return part && typeof part === "object" ? part[key] : undefined;
    }, config);
  }

  function fill() {
    var config = parsed();
    note.hidden = config !== null;
    inputs.forEach(function (input) {
      input.disabled = config === null;
      if (config === null || input === document.activeElement) {
        return;
      }
      var value = read(config, input.getAttribute("data-extra-key"));
      input.value = value === undefined || value === null ? "" : Array.isArray(value) ? value.join(", ") : String(value);
    });
  }

  function typed(input) {
    var text = input.value.trim();
    var kind = input.getAttribute("data-input");
    if (!text) {
      return undefined;
    }
    if (kind === "integer" && /^-?\d+$/.test(text)) {
      return parseInt(text, 10);
    }
    if (kind === "number" && text !== "" && isFinite(Number(text))) {
      return Number(text);
    }
    if (kind === "list") {
      return text.split(",").map(function (item) { return item.trim(); }).filter(Boolean);
    }
    return text; /* kept as typed: the server names the rule it breaks */
  }

  function write(input) {
    var config = parsed();
    if (config === null) {
      return;
    }
    var keys = input.getAttribute("data-extra-key").split(".");
    var last = keys.pop();
    var parent = config;
    var chain = [];
    keys.forEach(function (key) {
      if (!parent[key] || typeof parent[key] !== "object" || Array.isArray(parent[key])) {
        parent[key] = {};
      }
      chain.push([parent, key]);
      parent = parent[key];
    });
    var value = typed(input);
    if (value === undefined) {
      delete parent[last];
      chain.reverse().forEach(function (link) {
        if (!Object.keys(link[0][link[1]]).length) {
          delete link[0][link[1]];
        }
      });
    } else {
      parent[last] = value;
    }
    editor.value = JSON.stringify(config, null, 2);
  }

  box.querySelectorAll(".readable-input").forEach(function (cell) {
    cell.hidden = false;
  });
  if (details && !editor.classList.contains("is-invalid")) {
    details.open = false;
  }
  inputs.forEach(function (input) {
    input.addEventListener("input", function () {
      write(input);
    });
  });
  editor.addEventListener("input", fill);
  form.addEventListener("change", function (event) {
    if (event.target.name === "capabilities") {
      follow();
    }
  });
  form.addEventListener("input", function (event) {
    if (event.target.name === "capabilities") {
      follow();
    }
  });
  follow();
  fill();
}

/* The admin loads form scripts in the page head, before the form exists. */
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", extraConfigHelp);
} else {
  extraConfigHelp();
}
