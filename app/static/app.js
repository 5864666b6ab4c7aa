// Site behaviour that htmx does not cover. Loaded as a file: the CSP forbids inline scripts.
(function () {
  "use strict";

  function showMessage(level, text) {
    var region = document.getElementById("flash");
    if (!region || !text) return;
    var p = document.createElement("p");
    p.className = "flash flash-" + (level || "info");
    p.setAttribute("role", level === "error" ? "alert" : "status");
    p.textContent = text;
    region.appendChild(p);
    p.scrollIntoView({ block: "nearest" });
  }

  // Server-sent messages: HX-Trigger {"flash": {"level": "...", "message": "..."}}.
  document.addEventListener("flash", function (event) {
    showMessage(event.detail.level, event.detail.message);
  });

  // An htmx request failed with a 4xx/5xx the server did not explain itself.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.getResponseHeader("HX-Trigger")) return;
    showMessage("error", document.body.dataset.msgError);
  });

  document.addEventListener("htmx:sendError", function () {
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
