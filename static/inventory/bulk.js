/* Model Registry list pages: the header checkbox ticks every row checkbox of the page. */
document.addEventListener("change", function (event) {
  var header = event.target.closest("[data-select-page]");
  if (!header) {
    return;
  }
  document.querySelectorAll('input[name="ids"][form="bulk-form"]').forEach(function (box) {
    box.checked = header.checked;
  });
});
