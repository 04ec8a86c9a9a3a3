// Zaalboek: small progressive enhancements. No inline scripts anywhere (Content-Security-Policy: script-src 'self').
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); } }
  ready(function () {
    // A form sent back with errors: focus its error summary (role="alert"), so keyboard and screen-reader users
    // start at the list of what to fix instead of at the top of the page.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
    // Copy buttons: <button data-copy="input-id" data-copied="Gekopieerd">
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var input = document.getElementById(button.getAttribute("data-copy"));
        if (!input) { return; }
        input.select();
        var done = function () { button.textContent = button.getAttribute("data-copied") || "OK"; };
        if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(input.value).then(done, done); }
        else { try { document.execCommand("copy"); } catch (e) { /* the text stays selected */ } done(); }
      });
    });
    // Dagdeel: picking one fills the start and end time fields, so the user sees what was chosen.
    var daypart = document.getElementById("id_daypart");
    if (daypart) {
      daypart.addEventListener("change", function () {
        var match = /(\d\d:\d\d)\D+(\d\d:\d\d)/.exec(daypart.options[daypart.selectedIndex].text);
        if (daypart.value && match) {
          document.getElementById("id_start_time").value = match[1];
          document.getElementById("id_end_time").value = match[2];
        }
      });
    }
  });
})();
