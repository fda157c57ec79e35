// The dashboard's own script: the live rollout board and the command buttons' answers. Everything else is htmx.
(function () {
  "use strict";
  var source = null;
  var pending = null;

  function board() { return document.getElementById("board"); }

  function refresh() {
    var b = board();
    if (b) { htmx.ajax("GET", "/ui/rollouts/" + b.dataset.rollout + "/board", { target: "#board", swap: "innerHTML" }); }
  }

  // At most one redraw a second however many events arrive: a 2,000-node rollout does not redraw per event.
  function soon() {
    if (pending === null) { pending = setTimeout(function () { pending = null; refresh(); }, 1000); }
  }

  function follow() {
    var b = board();
    if (!b) { return; }
    var inner = b.querySelector(".board");
    var ended = inner && inner.dataset.final === "true";
    if (ended && source) { source.close(); source = null; }
    if (!ended && !source) {
      source = new EventSource("/api/v1/rollouts/" + b.dataset.rollout + "/events");
      source.onmessage = soon;
      source.onerror = function () { soon(); };
    }
  }

  // One handler for every tile of the board (a 2,000-node board carries no per-tile attributes): a tile opens its node.
  document.addEventListener("click", function (event) {
    var tile = event.target.closest ? event.target.closest("#board .tile") : null;
    var b = board();
    if (tile && b) {
      htmx.ajax("GET", "/ui/rollouts/" + b.dataset.rollout + "/nodes/" + encodeURIComponent(tile.dataset.node), { target: "#node-detail" });
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "board") { follow(); }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var button = event.detail.elt;
    if (!button || !button.classList || !button.classList.contains("command")) { return; }
    var shown = document.querySelector(".command-error");
    if (event.detail.successful) {
      if (shown) { shown.textContent = ""; }
      refresh();
      return;
    }
    var detail = "the command was refused";
    try { detail = JSON.parse(event.detail.xhr.responseText).detail || detail; } catch (e) { /* not a problem document */ }
    if (shown) { shown.textContent = button.dataset.command + ": " + detail; }
  });

  // htmx does not swap error answers by default; a plan check answers 422 with its errors and they must show
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422 && event.detail.target && event.detail.target.id === "plan-check") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();

// Starting a rollout from a plan page: the API's own POST /api/v1/rollouts, with htmx's header so the session counts.
window.waveline = {
  start: function (button) {
    var shown = document.querySelector(".command-error");
    button.disabled = true;
    fetch("/api/v1/rollouts", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "HX-Request": "true" },
      body: JSON.stringify({ plan: button.dataset.plan })
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) { window.location.assign("/ui/rollouts/" + body.id); return; }
        button.disabled = false;
        if (shown) { shown.textContent = body.detail || ("refused: " + response.status); }
      });
    }).catch(function (e) { button.disabled = false; if (shown) { shown.textContent = String(e); } });
  }
};
