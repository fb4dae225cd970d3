// Pasar Kampung Kuliner's service worker: an offline page for navigations that fail, and
// order alerts (Web Push) that vibrate and stay until the seller taps them.
"use strict";
var CACHE = "pkk-offline-v1";
var OFFLINE = "/offline";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll([OFFLINE, "/static/css/app.css"]); })
  );
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || request.mode !== "navigate") { return; }
  // Pages always come from the network (prices and stock change); the offline page only
  // when there is none.
  event.respondWith(
    fetch(request).catch(function () { return caches.match(OFFLINE); })
  );
});

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { title: event.data.text() }; }
  event.waitUntil(
    self.registration.showNotification(data.title || "Pasar Kampung Kuliner", {
      body: data.body || "",
      tag: data.tag,
      renotify: true,
      requireInteraction: true,
      vibrate: [400, 150, 400, 150, 400, 150, 800],
      icon: "/static/img/icon-192.png",
      badge: "/static/img/icon-192.png",
      data: { url: data.url || "/" }
    })
  );
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (list) {
      for (var i = 0; i < list.length; i++) {
        if ("focus" in list[i]) { list[i].navigate(url); return list[i].focus(); }
      }
      return self.clients.openWindow(url);
    })
  );
});
