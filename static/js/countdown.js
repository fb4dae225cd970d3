// The time left to pay a QRIS or transfer order, counted down beside the deadline (the page
// already says the deadline in words; this only adds minutes and seconds).
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".countdown[data-deadline]");
  Array.prototype.forEach.call(boxes, function (box) {
    var deadline = Date.parse(box.dataset.deadline);
    var left = box.querySelector(".left");
    if (isNaN(deadline) || !left) { return; }
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    function tick() {
      var seconds = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      if (seconds === 0) {
        left.textContent = box.dataset.expired || "";
        clearInterval(timer);
        return;
      }
      var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60);
      left.textContent = "(" + (h ? h + ":" + pad(m) : m) + ":" + pad(seconds % 60) + ")";
    }
    var timer = setInterval(tick, 1000);
    tick();
  });
})();
