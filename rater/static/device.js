// The pad's device key and pairing: ?key=KEY once, then localStorage, never left in the address
// bar; GET /api/v1/devices/me says whether the key is good and which window the pad serves.

import { $ } from "/static/shared/dom.js";

var KEY_STORE = "hallq.rater.key";
var memoryKey = null;

export function takeKey() {
  var url = new URL(window.location.href);
  var fromUrl = (url.searchParams.get("key") || "").trim();
  if (fromUrl) {
    storeKey(fromUrl);
    url.searchParams.delete("key");
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    return fromUrl;
  }
  try { return window.localStorage.getItem(KEY_STORE) || memoryKey; } catch (e) { return memoryKey; }
}

function storeKey(key) {
  memoryKey = key;
  try { window.localStorage.setItem(KEY_STORE, key); } catch (e) { /* private mode: memory only */ }
}

export function forgetKey() {
  memoryKey = null;
  try { window.localStorage.removeItem(KEY_STORE); } catch (e) { /* nothing stored */ }
}

export function showPairing(reason) {
  document.body.dataset.screen = "pairing";
  ["idle", "ask", "thanks"].forEach(function (id) { $(id).hidden = true; });
  $("pairing").hidden = false;
  $("pairing-reason").textContent = reason || "";
  $("pairing-form").onsubmit = function (ev) {
    ev.preventDefault();
    var key = $("pairing-key").value.trim();
    if (key) { storeKey(key); window.location.reload(); }
  };
}

// {device} when the key is good, {unauthorized} when it is not, {offline} when unreachable.
export function fetchDevice(key) {
  return window.fetch("/api/v1/devices/me", { headers: { "X-Device-Key": key }, cache: "no-store" })
    .then(function (r) {
      if (r.status === 401 || r.status === 403) {
        return r.json().then(function (body) {
          return { unauthorized: (body && body.error && body.error.message) || "unauthorized" };
        }, function () { return { unauthorized: "unauthorized" }; });
      }
      if (!r.ok) { return { offline: "HTTP " + r.status }; }
      return r.json().then(function (body) { return { device: body.device }; });
    }, function (err) { return { offline: String(err) }; });
}
