// The kiosk's device key (?key=KEY once, then localStorage) and its live connection to the
// hall room: waiting counts and its own printer's status.

import { loadCatalog, renderCounts } from "./catalog.js";
import { state } from "./state.js";
import { T } from "./texts.js";
import { setOnline, setPrinter, show } from "./view.js";
import { $ } from "/static/shared/dom.js";
import { HallqLive } from "/static/shared/live.js";
import { hallRoot, hallStore } from "/static/shared/hall-base.js";

// Per hall: pairing another hall's kiosk in this browser must not unpair this one.
var KEY_STORE = hallStore("hallq.kiosk.key");

export function storage(op, value) {
  try {
    if (op === "get") { return window.localStorage.getItem(KEY_STORE); }
    if (op === "set") { window.localStorage.setItem(KEY_STORE, value); }
    if (op === "del") { window.localStorage.removeItem(KEY_STORE); }
  } catch (e) { /* storage disabled: the key lives for this page only */ }
  return null;
}

// ?key=KEY is accepted once: stored, then removed from the address bar and the history.
export function readKey() {
  var params = new URLSearchParams(location.search);
  var fromUrl = (params.get("key") || "").trim();
  if (fromUrl) {
    storage("set", fromUrl);
    params.delete("key");
    var rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
    return fromUrl;
  }
  return storage("get");
}

export function stopLive() {
  var live = state.live;
  state.live = null;          // first: the closing socket's own events are then ignored
  if (live) { live.stop(); }
}

export function pair(key, refusedMessage) {
  stopLive();
  state.key = key;
  if (!key) {
    storage("del");
    showPair(refusedMessage);
    return;
  }
  var live = new HallqLive({
    rooms: ["hall"],
    events: ["guide.revised"],  // an admin saved a guide: the catalogue is reloaded
    auth: { device_key: key },
    onSnapshot: function (ack) {
      if (state.live !== live) { return; }
      state.queues = {};
      ((ack.hall && ack.hall.queues) || []).forEach(function (q) { state.queues[q.code] = q; });
      renderCounts();
    },
    onEvent: function (name, data) {
      if (state.live === live && name === "queue.updated" && data.queue) {
        state.queues[data.queue.code] = data.queue;
        renderCounts();
      }
      if (state.live === live && name === "guide.revised") { loadCatalog(); }
      if (state.live === live && name === "printer.updated" && data.printer &&
          (data.printer.devices || []).indexOf(state.deviceName) >= 0) {
        setPrinter(data.printer.status);
      }
    },
    onStatus: function (status, message) {
      if (state.live !== live) { return; }
      // The server refused the connection itself (socket.io stops retrying then): the key is
      // unknown or revoked. A network failure keeps the socket active and retrying, and a refusal
      // for now (the server could not check the key) is retried by the live connection.
      var socket = live.socket;
      if (status === "offline" && ((socket && !socket.active && !live.retrying) || /device key/i.test(message || ""))) {
        pair(null, true);
        return;
      }
      var wasOnline = state.online;
      setOnline(status === "live", status === "offline" || status === "error");
      if (status === "live" && !wasOnline) { loadCatalog(); }
    }
  });
  state.live = live;
  live.start();
  // Which device this is, so the kiosk can tell its own printer's reports from the others'.
  fetch(hallRoot() + "/api/v1/devices/me", { cache: "no-store", headers: { "X-Device-Key": key } })
    .then(function (r) {
      if (r.status === 401) { return r.json().then(function (b) { otherHall(live, b && b.error); }); }
      return r.ok ? r.json() : null;
    })
    .then(function (me) { if (me && me.device && state.live === live) { state.deviceName = me.device.name; } })
    .catch(function () { /* the live connection reports a dead server */ });
}

// The key is another hall's (the server can tell, and says where it belongs): unpaired as for a
// wrong key, but in the server's words, so whoever pairs it knows to use that hall's address.
function otherHall(live, err) {
  if (!err || err.code !== "other_hall") { return; }
  if (state.live === live) { pair(null, true); }
  if (!state.key) { $("pair-error").textContent = (err.message_zh || "") + " / " + err.message; }
}

export function showPair(refused) {
  setOnline(false, false);
  $("pair-error").hidden = !refused;
  $("pair-error").textContent = refused ? T.zh.pair_refused + " " + T.en.pair_refused : "";
  show("pair");
  $("pair-key").value = "";
}
