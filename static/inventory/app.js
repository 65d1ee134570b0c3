/* Model Registry: submit a form when one of its [data-autosubmit] controls changes. */
document.addEventListener("change", function (event) {
  var control = event.target.closest("[data-autosubmit]");
  if (control && control.form) {
    control.form.requestSubmit();
  }
});
