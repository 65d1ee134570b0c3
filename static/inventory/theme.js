/* Model Registry: colour theme before the first paint. The choice stored by the toggle wins;
   without one the page follows the system setting, also when it changes while open. */
(function () {
  var root = document.documentElement;
  var system = window.matchMedia("(prefers-color-scheme: dark)");
  function stored() {
    try {
      var value = localStorage.getItem("theme");
      return value === "light" || value === "dark" ? value : null;
    } catch (error) {
      return null;
    }
  }
  function apply() {
    root.setAttribute("data-bs-theme", stored() || (system.matches ? "dark" : "light"));
  }
  apply();
  system.addEventListener("change", apply);
})();
