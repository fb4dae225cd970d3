// "Nyalakan notifikasi pesanan": subscribe this phone to Web Push for new orders.
(function () {
  "use strict";
  var box = document.getElementById("push");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window) || !window.fetch) { return; }
  var state = box.querySelector(".push-state");
  var on = box.querySelector(".push-on");
  var off = box.querySelector(".push-off");
  function key(base64) {
    var padded = (base64 + "===".slice((base64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  function show(subscribed) {
    if (Notification.permission === "denied") { state.textContent = box.dataset.denied; on.hidden = true; off.hidden = true; return; }
    state.textContent = subscribed ? box.dataset.on : box.dataset.off;
    on.hidden = subscribed; off.hidden = !subscribed;
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": box.dataset.csrf },
      body: JSON.stringify(body)
    });
  }
  navigator.serviceWorker.register("/sw.js").then(function () { return navigator.serviceWorker.ready; })
    .then(function (registration) {
      box.hidden = false;
      registration.pushManager.getSubscription().then(function (s) { show(!!s); });
      on.addEventListener("click", function () {
        Notification.requestPermission().then(function (permission) {
          if (permission !== "granted") { show(false); return; }
          return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(box.dataset.key) })
            .then(function (s) { return post(box.dataset.subscribeUrl, s.toJSON()); })
            .then(function (r) { show(r.ok); });
        }).catch(function () { show(false); });
      });
      off.addEventListener("click", function () {
        registration.pushManager.getSubscription().then(function (s) {
          if (!s) { show(false); return; }
          return post(box.dataset.unsubscribeUrl, { endpoint: s.endpoint }).then(function () { return s.unsubscribe(); }).then(function () { show(false); });
        });
      });
    }).catch(function () {});
})();
