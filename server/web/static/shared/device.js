// A device page's key and its check, shared by the calling displays and the rating pads: the key
// comes as ?key=KEY once, is kept in localStorage (in memory where storage is off) and never left
// in the address bar; GET /api/v1/devices/me says whether it is good.

import { hallRoot, hallStore } from "/static/shared/hall-base.js";

// The key kept under `store` (one name per kind of page, so a display and a pad on one browser
// keep their own; and per hall, hallStore).
export function deviceKey(kind) {
  var store = hallStore(kind);
  var memoryKey = null;

  function keep(key) {
    memoryKey = key;
    try { window.localStorage.setItem(store, key); } catch (e) { /* private mode: memory only */ }
  }

  return {
    take: function () {
      var url = new URL(window.location.href);
      var fromUrl = (url.searchParams.get("key") || "").trim();
      if (fromUrl) {
        keep(fromUrl);
        url.searchParams.delete("key");
        window.history.replaceState(null, "", url.pathname + url.search + url.hash);
        return fromUrl;
      }
      try { return window.localStorage.getItem(store) || memoryKey; } catch (e) { return memoryKey; }
    },
    keep: keep,
    forget: function () {
      memoryKey = null;
      try { window.localStorage.removeItem(store); } catch (e) { /* nothing stored */ }
    },
  };
}

// GET /api/v1/devices/me: {device} when the key is good, {unauthorized} when it is not (with
// `otherHall`, the server's words in both languages, when the key is another hall's),
// {offline} when the server cannot be reached (then the caller tries again).
export function fetchDevice(key) {
  return window.fetch(hallRoot() + "/api/v1/devices/me", { headers: { "X-Device-Key": key }, cache: "no-store" })
    .then(function (r) {
      if (r.status === 401 || r.status === 403) {
        return r.json().then(function (body) {
          var e = (body && body.error) || {};
          return { unauthorized: e.message || "unauthorized",
            otherHall: e.code === "other_hall" ? (e.message_zh || "") + " / " + e.message : null };
        }, function () { return { unauthorized: "unauthorized" }; });
      }
      if (!r.ok) { return { offline: "HTTP " + r.status }; }
      return r.json().then(function (body) { return { device: body.device }; });
    }, function (err) { return { offline: String(err) }; });
}
