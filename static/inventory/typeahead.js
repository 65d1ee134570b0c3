/* Model Registry: text boxes marked [data-typeahead] become comboboxes (the ARIA 1.2
   pattern: role=combobox on the box, a listbox popup, aria-activedescendant). After a pause
   in typing they ask the list API named by data-typeahead for rows whose name holds the text
   (?name=…&page_size=…&sort=name) and offer those names. Arrow keys move through the
   options, Enter picks one, Escape closes the list (or, closed, empties the box). Without
   this script the box is a plain text input: the filter takes a whole name or an id. */
(function () {
  "use strict";

  var DELAY_MS = 200;
  var counter = 0;

  function setup(input) {
    counter += 1;
    var base = (input.id || "typeahead-" + counter) + "-typeahead";
    var wrapper = document.createElement("div");
    wrapper.className = "typeahead";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);

    var list = document.createElement("ul");
    list.id = base + "-listbox";
    list.className = "typeahead-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var label = input.labels && input.labels[0];
    if (label) {
      label.id = label.id || base + "-label";
      list.setAttribute("aria-labelledby", label.id);
    }
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    wrapper.appendChild(list);
    wrapper.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    var size = input.getAttribute("data-typeahead-size") || "10";
    var hintField = input.getAttribute("data-typeahead-hint");
    var timer = null;
    var pending = null;
    var active = -1;
    var names = [];

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      if (names.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      Array.prototype.forEach.call(options, function (option, position) {
        option.setAttribute("aria-selected", position === index ? "true" : "false");
      });
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      input.value = names[index];
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function render(rows, total) {
      list.textContent = "";
      names = rows.map(function (row) {
        return String(row.name);
      });
      rows.forEach(function (row, index) {
        var option = document.createElement("li");
        option.id = list.id + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-index", String(index));
        option.appendChild(document.createTextNode(String(row.name)));
        var hint = hintField && row[hintField];
        if (hint) {
          var extra = document.createElement("span");
          extra.className = "hint";
          extra.textContent = " · " + hint;
          option.appendChild(extra);
        }
        list.appendChild(option);
      });
      active = -1;
      if (names.length) {
        status.textContent = total > names.length
          ? names.length + " of " + total + " matches shown"
          : names.length + (names.length === 1 ? " match" : " matches");
        open();
      } else {
        status.textContent = "No match";
        close();
      }
    }

    function lookUp() {
      var text = input.value.trim();
      if (pending) {
        pending.abort();
        pending = null;
      }
      if (!text) {
        render([], 0);
        status.textContent = "";
        return;
      }
      pending = new AbortController();
      var query = new URLSearchParams({ name: text, page_size: size, sort: "name" });
      fetch(input.getAttribute("data-typeahead") + "?" + query.toString(), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: pending.signal,
      })
        .then(function (response) {
          return response.ok ? response.json() : { rows: [], total_rows: 0 };
        })
        .then(function (body) {
          if (input.value.trim() === text) {
            render(body.rows || [], body.total_rows || 0);
          }
        })
        .catch(function (error) {
          if (error.name !== "AbortError") {
            render([], 0);
          }
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookUp, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!names.length) {
          return;
        }
        event.preventDefault();
        open();
        var step = event.key === "ArrowDown" ? 1 : -1;
        var next = active < 0 && step < 0 ? names.length - 1 : active + step;
        highlight(Math.max(0, Math.min(names.length - 1, next)));
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) {
          event.preventDefault();
          choose(active);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
        }
      }
    });

    /* A click on an option must not blur the box before it is read. */
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) {
        choose(Number(option.getAttribute("data-index")));
      }
    });
    input.addEventListener("blur", close);
  }

  document.querySelectorAll("input[data-typeahead]").forEach(setup);
})();
