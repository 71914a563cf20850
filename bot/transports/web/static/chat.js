// civicbot web chat: sends forms in the background and updates the conversation in place.
// Without this script every form still works by itself (POST, then a redirect back).
"use strict";
(function () {
  function sync(fresh) {
    var log = document.getElementById("said");
    var next = fresh.getElementById("said");
    if (!log || !next) { return false; }
    var have = {};
    Array.prototype.forEach.call(log.children, function (li) { have[li.dataset.n] = li; });
    var keep = {};
    Array.prototype.forEach.call(next.children, function (li) {
      keep[li.dataset.n] = true;
      var old = have[li.dataset.n];
      if (old) { old.replaceWith(document.importNode(li, true)); }
      else { log.appendChild(document.importNode(li, true)); }
    });
    Object.keys(have).forEach(function (n) { if (!keep[n]) { have[n].remove(); } });
    ["say"].forEach(function (id) {
      var mine = document.getElementById(id), theirs = fresh.getElementById(id);
      if (mine && theirs) { mine.replaceWith(document.importNode(theirs, true)); }
    });
    var intro = document.querySelector(".intro");
    if (intro && !fresh.querySelector(".intro")) { intro.remove(); }
    newest();
    var text = document.getElementById("text");
    if (text) { text.focus({preventScroll: true}); }
    return true;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var action = form.getAttribute("action");
    if (action !== "say" && action !== "press") { return; }
    event.preventDefault();
    var data = new FormData(form, event.submitter);
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(action, {method: "POST", body: data, credentials: "same-origin"})
      .then(function (response) {
        var page = new URL(response.url);
        if (!response.ok || page.pathname !== new URL("./", location.href).pathname) {
          location.assign(response.url);
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        if (!sync(fresh)) { location.reload(); }
      })
      .catch(function () { location.reload(); })
      .finally(function () { buttons.forEach(function (b) { b.disabled = false; }); });
  });
  document.addEventListener("keydown", function (event) {
    if (event.target.id === "text" && event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      event.target.form.requestSubmit();
    }
  });
  function newest() {
    var last = document.querySelector("#said > li:last-child");
    if (last) { last.scrollIntoView({block: "end"}); }
  }
  // a picture that arrives later makes the page taller: keep the newest message in view
  document.addEventListener("load", function (event) {
    if (event.target.tagName === "IMG") { newest(); }
  }, true);
  newest();
}());
