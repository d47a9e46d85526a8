// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Move focus to a form's error summary so screen readers announce it first (WCAG 3.3.1).
  function focusErrors(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { focusErrors(document); });
  // On a phone a tab bar is one row that scrolls: bring the current tab into sight.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".tabs [aria-current]").forEach(function (tab) {
      var row = tab.closest("ul");
      if (row && row.scrollWidth > row.clientWidth) {
        row.scrollLeft = tab.offsetLeft - row.offsetLeft - 16;
      }
    });
  });
  // A freshly made API token is selected so it can be copied at once.
  document.addEventListener("DOMContentLoaded", function () {
    var token = document.getElementById("new-token");
    if (token) { token.focus(); token.select(); }
  });
  // A "Copy link" button beside a read-only link (data-copy); without JavaScript the link
  // is still selectable text in its field.
  function copyButtons(root) {
    root.querySelectorAll("[data-copy]").forEach(function (box) {
      var source = box.querySelector("[data-copy-source]");
      if (!source || box.querySelector("button")) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button--secondary copy-button";
      button.textContent = "Copy link";
      var said = document.createElement("span");
      said.className = "copy-status";
      said.setAttribute("role", "status");
      box.appendChild(button);
      box.appendChild(said);
      button.addEventListener("click", function () {
        function copied() { said.textContent = "Link copied."; }
        function byHand() {
          source.focus();
          source.select();
          said.textContent = "Link selected: press Ctrl+C (or Cmd+C) to copy it.";
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(source.value).then(copied, byHand);
        } else {
          byHand();
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { copyButtons(document); });
})();
