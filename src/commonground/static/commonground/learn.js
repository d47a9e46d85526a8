// Learn: answers save as the person types. Progressive enhancement only: without this
// file each question's Save button posts the form and the page comes back saved.
//
// A save happens a short pause after the last key, and when the person leaves the field.
// Until the server says it has the words, they are kept in this browser (localStorage),
// so a lost connection or an expired sign-in loses nothing: the page says so plainly and
// sends them when it can. The server refuses a save made from a stale page (another tab
// saved first), and the page says that too, keeping these words for the person to choose.
(function () {
  "use strict";
  var PAUSE = 1200;
  var RETRY = 15000;

  function draftKey(form) {
    return "cg-learn:" + form.getAttribute("action") + ":" + (form.elements.reflection.value || "new");
  }

  function contents(form) {
    var chosen = [];
    form.querySelectorAll("input[name=chosen]:checked").forEach(function (box) { chosen.push(box.value); });
    var text = form.elements.text ? form.elements.text.value : "";
    return { text: text, chosen: chosen };
  }

  function show(form, words, trouble) {
    var status = form.querySelector("[data-save-status]");
    status.textContent = words;
    status.classList.toggle("reflect__status--trouble", Boolean(trouble));
  }

  function keep(form) {
    try {
      var draft = contents(form);
      draft.at = Date.now();
      draft.revision = form.elements.based_on.value;
      localStorage.setItem(draftKey(form), JSON.stringify(draft));
    } catch (e) { /* storage full or refused: the server copy is still the one to trust */ }
  }

  function forget(form, key) {
    try { localStorage.removeItem(key || draftKey(form)); } catch (e) { /* nothing kept */ }
  }

  function setUp(form) {
    var timer = null;
    var sending = false;
    var again = false;
    var last = JSON.stringify(contents(form));

    function save() {
      clearTimeout(timer);
      var now = JSON.stringify(contents(form));
      if (now === last) { return; }
      if (sending) { again = true; return; }
      sending = true;
      keep(form);
      var before = draftKey(form);
      show(form, "Saving…");
      fetch(form.getAttribute("action"), {
        method: "POST",
        body: new FormData(form),
        headers: { "Accept": "application/json", "X-Requested-With": "fetch" },
        credentials: "same-origin",
        redirect: "manual"
      }).then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
          var back = form.getAttribute("data-sign-in") +
            encodeURIComponent(location.pathname + "#" + form.closest(".reflect").id);
          show(form, "Not saved: you have been signed out. Your words are kept in this browser; ", true);
          var link = document.createElement("a");
          link.href = back;
          link.textContent = "sign in again to save them";
          form.querySelector("[data-save-status]").appendChild(link);
          return null;
        }
        return response.json().then(function (body) {
          if (response.ok) {
            form.elements.reflection.value = body.reflection;
            form.elements.based_on.value = body.revision;
            forget(form, before);
            last = now;
            show(form, "Saved at " + body.saved_at);
          } else if (response.status === 409) {
            show(form, body.message + " Reload the page to see both; your words here are kept in this browser.", true);
          } else {
            show(form, "Not saved: " + body.message, true);
          }
        });
      }).catch(function () {
        show(form, "Not saved: the connection is lost. Your words are kept in this browser and will be sent when it is back.", true);
        timer = setTimeout(save, RETRY);
      }).then(function () {
        sending = false;
        if (again) { again = false; save(); }
      });
    }

    form.addEventListener("input", function () {
      clearTimeout(timer);
      keep(form);
      timer = setTimeout(save, PAUSE);
    });
    form.addEventListener("change", function () { save(); });
    form.addEventListener("focusout", function () { save(); });
    form.addEventListener("submit", function (event) { event.preventDefault(); last = null; save(); });
    window.addEventListener("online", function () { save(); });

    // Words kept from a visit that could not save them come back, and are sent.
    try {
      var kept = JSON.parse(localStorage.getItem(draftKey(form)) || "null");
      if (kept && kept.revision === form.elements.based_on.value) {
        if (form.elements.text) { form.elements.text.value = kept.text; }
        form.querySelectorAll("input[name=chosen]").forEach(function (box) {
          box.checked = kept.chosen.indexOf(box.value) !== -1;
        });
        show(form, "Words you wrote earlier that were not saved are back; saving them now.");
        last = null;
        save();
      }
    } catch (e) { /* nothing kept */ }
  }

  // Printed, an answer is shown whole as text (a text box would cut it off), and earlier
  // reflections are open.
  function forPrint() {
    document.querySelectorAll("form[data-autosave]").forEach(function (form) {
      var copy = form.querySelector("[data-print-copy]");
      if (copy && form.elements.text) { copy.textContent = form.elements.text.value; }
    });
    document.querySelectorAll("details.reflect__earlier").forEach(function (d) { d.open = true; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-autosave]").forEach(setUp);
  });
  window.addEventListener("beforeprint", forPrint);
})();
