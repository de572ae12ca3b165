// Site behaviour. No inline scripts anywhere (the Content-Security-Policy forbids them):
// pages mark elements with data-* attributes and this file wires them up.
document.addEventListener("DOMContentLoaded", function () {
  // Forms whose <select> should submit on change (filters).
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.requestSubmit(); });
  });
  // A form sent back with errors: every error is listed at once (partials/form_error_summary.html);
  // the cursor goes to the first field in error, so the writer starts correcting at once.
  var invalid = document.querySelector("main form [aria-invalid=true]");
  if (invalid) {
    invalid.focus({ preventScroll: true });
    invalid.scrollIntoView({ block: "center" });
  }
});
// Send Django's CSRF token with htmx requests.
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("meta[name=csrf-token]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.content; }
});
