// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Move focus to a form's error summary so screen readers announce it first (WCAG 3.3.1).
  function focusErrors(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { focusErrors(document); });
  // A freshly made API token is selected so it can be copied at once.
  document.addEventListener("DOMContentLoaded", function () {
    var token = document.getElementById("new-token");
    if (token) { token.focus(); token.select(); }
  });
})();
