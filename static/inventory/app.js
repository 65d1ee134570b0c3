/* Model Registry: submit a form when one of its [data-autosubmit] controls changes. */
document.addEventListener("change", function (event) {
  var control = event.target.closest("[data-autosubmit]");
  if (control && control.form) {
    control.form.requestSubmit();
  }
});

/* Dashboard bars: [data-share] is the bar's width in percent. Set through the CSSOM, which
   the Content-Security-Policy allows, where a style attribute in the page would be refused. */
document.querySelectorAll("[data-share]").forEach(function (bar) {
  var share = parseFloat(bar.getAttribute("data-share"));
  if (isFinite(share)) {
    bar.style.width = Math.min(Math.max(share, 0), 100) + "%";
  }
});

/* The theme toggle in the navigation bar: switches light/dark and remembers the choice. */
document.addEventListener("click", function (event) {
  if (!event.target.closest("[data-theme-toggle]")) {
    return;
  }
  var root = document.documentElement;
  var next = root.getAttribute("data-bs-theme") === "dark" ? "light" : "dark";
  root.setAttribute("data-bs-theme", next);
  try {
    localStorage.setItem("theme", next);
  } catch (error) {
    /* storage refused: the choice holds for this page only */
  }
});

/* "/" focuses the global search in the navigation bar (or, while the navigation is folded
   away on a small screen, the list's own search); "f" focuses the list's search box. Neither
   key is taken while the user is typing somewhere already. */
function visible(element) {
  return element && element.getClientRects().length > 0;
}

document.addEventListener("keydown", function (event) {
  if ((event.key !== "/" && event.key !== "f") || event.ctrlKey || event.metaKey || event.altKey) {
    return;
  }
  var active = document.activeElement;
  if (active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName))) {
    return;
  }
  var global = document.querySelector("[data-global-search]");
  var local = document.querySelector("[data-search-shortcut]");
  var search = event.key === "/" && visible(global) ? global : local;
  if (visible(search)) {
    event.preventDefault();
    search.focus();
    search.select();
  }
});

/* GET forms marked [data-clean-url] leave out their empty fields and those at their
   [data-default] value ("?status=active" rather than "?q=&engine_id=&status=active&..."). */
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("form[data-clean-url]")) {
    return;
  }
  var emptied = [];
  Array.prototype.forEach.call(form.elements, function (field) {
    var unneeded = field.value === "" || field.value === field.getAttribute("data-default");
    if (field.name && !field.disabled && unneeded && field.type !== "checkbox") {
      field.disabled = true;
      emptied.push(field);
    }
  });
  /* Enable them again once the browser has read the form, so Back shows them as they were. */
  setTimeout(function () {
    emptied.forEach(function (field) {
      field.disabled = false;
    });
  }, 0);
});
