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
