/* Bind page: the row name follows the chosen engine's default name until the user edits it. */
(function () {
  var engine = document.querySelector("[data-bind-engine]");
  var name = document.querySelector("[data-bind-name]");
  if (!engine || !name) {
    return;
  }
  var edited = false;
  name.addEventListener("input", function () {
    edited = true;
  });
  engine.addEventListener("change", function () {
    var option = engine.options[engine.selectedIndex];
    if (!edited && option) {
      name.value = option.getAttribute("data-default-name") || "";
    }
  });
})();
