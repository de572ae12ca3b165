/* 免登 inside the 浙政钉 app: ask the app's JSAPI for an auth code and post it to the server.
 *
 * The JSAPI object is `window.dd` (gdt-jsapi, bundled into static/ by the office and named by
 * ZWDING_JSAPI_STATIC, or provided by the app container). `dd.getAuthCode({corpId})` resolves
 * to {code} (or {auth_code}). Outside the app there is no `dd`: say so and offer the scan. */
(function () {
  "use strict";
  var form = document.getElementById("zwding-embedded");
  if (!form) { return; }
  var status = document.querySelector("[data-zwding-status]");
  var outside = document.querySelector("[data-zwding-outside]");
  function notInApp() {
    if (status) { status.classList.add("d-none"); }
    if (outside) { outside.classList.remove("d-none"); }
  }
  function submit(result) {
    var code = result && (result.code || result.auth_code || result.authCode);
    if (!code) { notInApp(); return; }
    form.elements.authCode.value = code;
    form.submit();
  }
  var tries = 0;
  function start() {
    var dd = window.dd;
    if (!dd || typeof dd.getAuthCode !== "function") {
      tries += 1;
      if (tries < 10) { window.setTimeout(start, 100); } else { notInApp(); }
      return;
    }
    Promise.resolve(dd.getAuthCode({ corpId: form.dataset.corpId })).then(submit, notInApp);
  }
  start();
})();
