// Site behaviour that htmx does not cover. Loaded as a file: the CSP forbids inline scripts.
(function () {
  "use strict";

  var MAX_MESSAGES = 3;

  // One line per distinct message: a message already shown moves to the end instead of
  // piling up again, and only the latest few stay.
  function showMessage(level, text) {
    var region = document.getElementById("flash");
    if (!region || !text) return;
    var className = "flash flash-" + (level || "info");
    Array.prototype.forEach.call(region.querySelectorAll(".flash"), function (old) {
      if (old.textContent === text && old.className === className) old.remove();
    });
    var p = document.createElement("p");
    p.className = className;
    p.setAttribute("role", level === "error" ? "alert" : "status");
    p.textContent = text;
    region.appendChild(p);
    var shown = region.querySelectorAll(".flash");
    for (var i = 0; i < shown.length - MAX_MESSAGES; i++) shown[i].remove();
    p.scrollIntoView({ block: "nearest" });
  }

  // Parts of a page that show their own failures in place (the judges' grid) need no message on top.
  function reportsInPlace(target) {
    return target && target.closest && target.closest("[data-inline-errors]") !== null;
  }

  // Server-sent messages: HX-Trigger {"flash": {"level": "...", "message": "..."}}.
  document.addEventListener("flash", function (event) {
    if (reportsInPlace(event.target)) return;
    showMessage(event.detail.level, event.detail.message);
  });

  // An htmx request failed with a 4xx/5xx the server did not explain itself.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (reportsInPlace(event.target) || (xhr && xhr.getResponseHeader("HX-Trigger"))) return;
    showMessage("error", document.body.dataset.msgError);
  });

  document.addEventListener("htmx:sendError", function (event) {
    if (reportsInPlace(event.target)) return;
    showMessage("error", document.body.dataset.msgNetwork);
  });

  // Close other open dropdowns when one opens (Pico dropdowns are <details>).
  document.addEventListener("toggle", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLDetailsElement) || !target.open || !target.classList.contains("dropdown")) return;
    document.querySelectorAll("details.dropdown[open]").forEach(function (other) {
      if (other !== target) other.open = false;
    });
  }, true);
})();
