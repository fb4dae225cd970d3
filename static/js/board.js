// The seller's order board: poll the count of new orders, chime and refresh when it grows.
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board || !window.fetch) { return; }
  var known = parseInt(board.dataset["new"] || "0", 10);
  function chime() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      var ctx = new Ctx();
      [0, 0.25].forEach(function (delay) {
        var osc = ctx.createOscillator();
        var gain = ctx.createGain();
        osc.frequency.value = 880;
        gain.gain.value = 0.2;
        osc.connect(gain); gain.connect(ctx.destination);
        osc.start(ctx.currentTime + delay); osc.stop(ctx.currentTime + delay + 0.18);
      });
    } catch (e) { /* sound is a bonus */ }
  }
  function poll() {
    fetch(board.dataset.countUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data["new"] > known) { chime(); setTimeout(function () { window.location.reload(); }, 800); }
        if (data) { known = data["new"]; }
      })
      .catch(function () {});
  }
  setInterval(poll, 20000);
})();
