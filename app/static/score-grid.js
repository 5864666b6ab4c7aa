// Score grids (competitions judges, innovation experts): the element with data-score-grid. Each cell saves itself with htmx
// when it changes; this file makes sure no mark is lost silently on venue Wi-Fi:
//  - a cell that could not be saved keeps the typed mark, looks unsaved and says why, in place;
//  - unsaved marks are kept in this tab's storage (a reload or a trip to the login page keeps them)
//    and retried when the connection returns, every few seconds, and when the tab comes back;
//  - an expired sign-in or CSRF token is detected: the grid asks the server who is signed in,
//    takes the fresh token and retries, or offers a sign-in in a new window (the page stays);
//  - Enter moves to the next cell (down the column) instead of submitting the whole form;
//  - signing is held back while marks are unsaved.
// Loaded as a file: the CSP forbids inline scripts. Texts come from the grid's data-msg-* attributes.
(function () {
  "use strict";

  var RETRY_MS = 10000;
  var checking = null; // the session check in flight, shared by every caller

  function grid() {
    return document.querySelector("[data-score-grid]");
  }

  function text(name) {
    var element = grid();
    return (element && element.dataset[name]) || "";
  }

  function cellOf(element) {
    var g = grid();
    if (!g || !element || !element.closest || !g.contains(element)) return null;
    var cell = element.closest("td.cell");
    return cell && cell.querySelector("input") ? cell : null;
  }

  function inputOf(cell) {
    return cell.querySelector("input");
  }

  // ---- unsaved marks kept in sessionStorage, per judge and grid

  function storageKey() {
    return "score-grid-unsaved:" + grid().dataset.gridKey;
  }

  function kept() {
    try {
      return JSON.parse(window.sessionStorage.getItem(storageKey()) || "{}");
    } catch (error) {
      return {};
    }
  }

  function keep(marks) {
    try {
      if (Object.keys(marks).length) window.sessionStorage.setItem(storageKey(), JSON.stringify(marks));
      else window.sessionStorage.removeItem(storageKey());
    } catch (error) { /* private mode or full: the page itself still holds the marks */ }
  }

  function remember(input) {
    var marks = kept();
    marks[input.name] = input.value;
    keep(marks);
  }

  function forget(name) {
    var marks = kept();
    if (name in marks) {
      delete marks[name];
      keep(marks);
    }
  }

  // ---- showing a cell's state in place

  var MESSAGES = {
    offline: "msgOffline",
    server: "msgServer",
    kept: "msgRetrying",
    session: "msgSession",
    "other-user": "msgOtherUser"
  };

  function markUnsaved(cell, reason, detail) {
    var input = inputOf(cell);
    cell.classList.remove("cell-saved", "cell-error");
    cell.classList.add("cell-unsaved");
    cell.dataset.unsaved = reason;
    Array.prototype.forEach.call(cell.querySelectorAll("small"), function (old) { old.remove(); });
    var note = document.createElement("small");
    note.className = "unsaved-mark";
    note.id = cell.id + "-unsaved";
    note.setAttribute("role", "alert");
    note.appendChild(document.createTextNode(
      reason === "refused" ? text("msgRefused") + " " + (detail || "") : text(MESSAGES[reason] || "msgServer")));
    if (reason === "session" || reason === "other-user") {
      var link = document.createElement("a");
      link.href = grid().dataset.loginUrl;
      link.target = "_blank";
      link.rel = "noopener";
      link.className = "sign-in-again";
      link.textContent = text("msgSignIn");
      note.appendChild(document.createTextNode(" "));
      note.appendChild(link);
      note.appendChild(document.createTextNode(" " + text("msgKept")));
    }
    var retry = document.createElement("button");
    retry.type = "button";
    retry.className = "link-button retry-cell";
    retry.textContent = text("msgRetry");
    note.appendChild(document.createTextNode(" "));
    note.appendChild(retry);
    cell.appendChild(note);
    input.setAttribute("aria-describedby", note.id);
    remember(input);
    showStatus();
  }

  function unsavedCells() {
    var g = grid();
    return g ? Array.prototype.slice.call(g.querySelectorAll("td.cell-unsaved")) : [];
  }

  var signingHeld = false; // the judge tried to sign while marks were unsaved

  function showStatus() {
    var status = grid().querySelector(".grid-status");
    if (!status) return;
    var count = unsavedCells().length;
    if (!count) signingHeld = false;
    status.hidden = count === 0;
    status.textContent = count ? text("msgPending").replace("{n}", count) : "";
    if (signingHeld) status.textContent += " " + text("msgBeforeSigning");
  }

  // ---- asking the server who is signed in, and retrying

  function useToken(token) {
    document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": token }));
    Array.prototype.forEach.call(document.querySelectorAll("input[name=csrf_token]"), function (input) {
      input.value = token;
    });
  }

  // Resolves to "same" (token refreshed), "signed-out", "other-user" or "offline".
  function checkSession() {
    if (checking) return checking;
    var g = grid();
    checking = window.fetch(g.dataset.sessionUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) return "offline";
        return response.json().then(function (answer) {
          if (answer.user === null) return "signed-out";
          if (String(answer.user) !== g.dataset.user) return "other-user";
          useToken(answer.csrf_token);
          return "same";
        });
      })
      .catch(function () { return "offline"; })
      .then(function (state) {
        checking = null;
        return state;
      });
    return checking;
  }

  function send(cell) {
    var input = inputOf(cell);
    if (!input.classList.contains("htmx-request")) window.htmx.trigger(input, "change");
  }

  function retryAll() {
    var cells = unsavedCells();
    if (!cells.length || navigator.onLine === false) return;
    checkSession().then(function (state) {
      unsavedCells().forEach(function (cell) {
        if (state === "same") send(cell);
        else if (state === "signed-out") markUnsaved(cell, "session");
        else if (state === "other-user") markUnsaved(cell, "other-user");
      });
    });
  }

  // The message the server put in HX-Trigger {"flash": {...}} for a refusal (403, 404, ...).
  function serverMessage(xhr) {
    try {
      return JSON.parse(xhr.getResponseHeader("HX-Trigger") || "{}").flash.message;
    } catch (error) {
      return String(xhr.status);
    }
  }

  // A cell's answer: 2xx is swapped by htmx (saved, or refused with the reason in place). Anything
  // else is handled here, and htmx does nothing more (no redirect to the login page, no flash).
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var cell = cellOf(event.detail.elt);
    if (!cell) return;
    var xhr = event.detail.xhr;
    if (xhr.status >= 200 && xhr.status < 300) return;
    event.preventDefault();
    if (xhr.status === 401) {
      markUnsaved(cell, "session");
    } else if (xhr.status === 400 && !cell.dataset.tokenRefreshed) {
      // Usually an expired CSRF token (the sign-in ended, or began again in another tab).
      cell.dataset.tokenRefreshed = "1";
      markUnsaved(cell, "server");
      retryAll();
    } else if (xhr.status >= 500 || xhr.status === 429 || xhr.status === 0) {
      markUnsaved(cell, "server");
    } else {
      markUnsaved(cell, "refused", serverMessage(xhr));
    }
  });

  function offline(event) {
    var cell = cellOf(event.detail.elt);
    if (cell) markUnsaved(cell, "offline");
  }

  document.addEventListener("htmx:sendError", offline);
  document.addEventListener("htmx:timeout", offline);

  // Saved (or refused for a reason now shown in the cell): nothing left to retry for it.
  // (The input that asked has been swapped out by now: it is known by its name.)
  document.addEventListener("htmx:afterRequest", function (event) {
    var element = event.detail.elt, xhr = event.detail.xhr;
    if (grid() && element && /^v-\d+-\d+$/.test(element.name || "") && xhr && xhr.status >= 200 && xhr.status < 300) {
      forget(element.name);
    }
  });

  document.addEventListener("htmx:afterSettle", showStatus);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.retry-cell");
    if (button && cellOf(button)) retryAll();
  });

  // ---- Enter moves to the next cell, down the column, then to the top of the next column

  function cellsInColumnOrder() {
    var rows = grid().querySelectorAll("table.score-grid tbody tr");
    var columns = [];
    Array.prototype.forEach.call(rows, function (row) {
      Array.prototype.forEach.call(row.querySelectorAll("td.cell input"), function (input, column) {
        (columns[column] = columns[column] || []).push(input);
      });
    });
    return columns.reduce(function (all, column) { return all.concat(column); }, []);
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing || !cellOf(event.target)) return;
    event.preventDefault(); // never submit the whole grid
    var inputs = cellsInColumnOrder();
    var next = inputs[inputs.indexOf(event.target) + (event.shiftKey ? -1 : 1)];
    if (next) {
      next.focus({ preventScroll: true });
      next.scrollIntoView({ block: "nearest", inline: "nearest" }); // clear of the sticky headers (scroll-padding)
      next.select();
    } else {
      event.target.blur(); // the last cell: leaving it saves it
    }
  });

  // ---- the whole-grid forms while marks are unsaved

  document.addEventListener("submit", function (event) {
    var g = grid();
    if (!g || !g.contains(event.target)) return;
    if (event.target.classList.contains("score-grid-form")) {
      // "Save all" with scripts on: send every cell that differs from what the server last showed.
      event.preventDefault();
      Array.prototype.forEach.call(g.querySelectorAll("td.cell input"), function (input) {
        if (!input.readOnly && input.value !== input.defaultValue) send(input.closest("td.cell"));
      });
      retryAll();
    } else if (event.target.classList.contains("sign-form") && unsavedCells().length) {
      event.preventDefault(); // signing now would lock the marks the server has, not the ones on screen
      signingHeld = true;
      showStatus();
      grid().querySelector(".grid-status").scrollIntoView({ block: "nearest" });
      retryAll();
    }
  });

  // ---- when to retry

  window.addEventListener("online", retryAll);
  window.addEventListener("focus", retryAll);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") retryAll();
  });
  window.setInterval(retryAll, RETRY_MS);

  // Marks left unsaved in this tab (before a reload or a sign-in) come back onto the page and are retried.
  function restore() {
    var g = grid();
    if (!g) return;
    var marks = kept();
    Object.keys(marks).forEach(function (name) {
      var input = g.querySelector("td.cell input[name='" + name.replace(/[^\w-]/g, "") + "']");
      if (!input || input.readOnly || input.value === marks[name]) {
        forget(name); // saved meanwhile, signed, or no longer on this grid
        return;
      }
      input.value = marks[name];
      markUnsaved(input.closest("td.cell"), navigator.onLine === false ? "offline" : "kept");
    });
    retryAll();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", restore);
  else restore();
})();
