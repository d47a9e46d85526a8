// Frameworks: each rating saves as it is given. Progressive enhancement only: without
// this file the "Save my ratings" buttons post the whole form and the page comes back.
//
// Choosing a point (or "don't know") saves that statement at once; its evidence saves
// when the person leaves the box. Each statement says "Saved" or what went wrong, politely
// to a screen reader, and the count of statements rated follows.
(function () {
  "use strict";

  function setUp(form) {
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;

    function save(fieldset) {
      var status = fieldset.querySelector("[data-rating-status]");
      var body = new URLSearchParams();
      body.append("csrfmiddlewaretoken", token);
      fieldset.querySelectorAll("input:checked, textarea").forEach(function (field) {
        body.append(field.name, field.value);
      });
      status.textContent = "Saving…";
      fetch(form.getAttribute("action"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          throw new Error("you may have been signed out, or the round has closed. Reload the page to see which.");
        }
        return response.json().then(function (answer) {
          if (!response.ok) { throw new Error(answer.message || "Not saved."); }
          status.textContent = "Saved";
          var count = document.getElementById("rated-count");
          if (count && answer.said) { count.textContent = answer.said; }
        });
      }).catch(function (error) {
        status.textContent = "Not saved: " + (error.message || "the connection was lost") +
          " Press “Save my ratings” to try again.";
      });
    }

    form.querySelectorAll("fieldset.rating").forEach(function (fieldset) {
      fieldset.addEventListener("change", function (event) {
        if (event.target.type === "radio") { save(fieldset); }
      });
      var box = fieldset.querySelector("textarea");
      var before = box.value;
      box.addEventListener("blur", function () {
        if (box.value !== before) { before = box.value; save(fieldset); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-rate-as-given]").forEach(setUp);
  });
})();
