// The display's device key and pairing: ?key=KEY once, then localStorage, never left in the
// address bar; and GET /api/v1/devices/me, which says whether the key is good.

var KEY_STORE = "hallq.display.key";
var memoryKey = null;

export function takeKey() {
  var url = new URL(window.location.href);
  var fromUrl = url.searchParams.get("key");
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
  document.getElementById("screen").hidden = true;
  document.getElementById("conn").hidden = true;
  var box = document.getElementById("pairing");
  box.hidden = false;
  document.getElementById("pairing-reason").textContent = reason || "";
  document.getElementById("pairing-form").onsubmit = function (ev) {
    ev.preventDefault();
    var key = document.getElementById("pairing-key").value.trim();
    if (key) { storeKey(key); window.location.reload(); }
  };
}

// GET /api/v1/devices/me: {device} when the key is good, {unauthorized} when it is not,
// {offline} when the server cannot be reached (then the caller tries again).
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
