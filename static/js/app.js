// Site behaviour. No inline scripts anywhere (the Content-Security-Policy forbids them):
// pages mark elements with data-* attributes and this file wires them up.
document.addEventListener("DOMContentLoaded", function () {
  // Forms whose <select> should submit on change (filters).
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.requestSubmit(); });
  });
  // "Select all" boxes: data-check-all="name" ticks every enabled checkbox of that name; a
  // [data-batch-count] shows how many are ticked and its form's submit waits for one.
  document.querySelectorAll("[data-check-all]").forEach(function (all) {
    var name = all.getAttribute("data-check-all");
    var form = all.form;
    var boxes = function () {
      return document.querySelectorAll('input[type=checkbox][name="' + name + '"][form="' + form.id + '"]:not(:disabled)');
    };
    var count = form.querySelector("[data-batch-count]");
    var submit = form.querySelector("[data-batch-submit]");
    var refresh = function () {
      var ticked = Array.prototype.filter.call(boxes(), function (b) { return b.checked; }).length;
      if (count) { count.textContent = ticked; }
      if (submit) { submit.disabled = ticked === 0; }
      all.checked = ticked > 0 && ticked === boxes().length;
    };
    all.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
      refresh();
    });
    boxes().forEach(function (b) { b.addEventListener("change", refresh); });
    refresh();
  });
  // Review at a desk: "n" (or →) opens the next report of the queue, outside text fields.
  var nextReport = document.querySelector("a[data-next-report]");
  if (nextReport) {
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.ctrlKey || event.metaKey || event.altKey || target.isContentEditable ||
          /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) { return; }
      if (event.key === "n" || event.key === "ArrowRight") { window.location.href = nextReport.href; }
    });
  }
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
