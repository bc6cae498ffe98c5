// What both calling displays share, as one module the screens import (hall.js, window.js draw
// them): boot (device key, pairing, live state) and the connection mark, here; the device key
// in device.js, the hall clock in clock.js, the announcement player in player.js (its sound in
// sound.js, its banner in banner.js, its words in words.js).
//
// Playback rules (issue 4, docs/display.md):
//  - every fresh call gets one place in a single queue, in call order, at the moment its
//    `ticket.called` arrives; its `announcement` (text + audio) fills that place when it comes;
//  - one announcement plays at a time, never overlapping; a recall is a new call; with a backlog,
//    the oldest calls are merged into one announcement, each said once and faster (voiceplan.js,
//    docs/voice.md), so ten calls at once are all heard within 30 s;
//  - a call is dropped only when its screen says it is over (the window paused, closed, or moved
//    on: `drop`); the banner never stays up longer than the hall's `banner_max_s`;
//  - a call whose announcement has not come within `fallback_ms` is spoken by the browser
//    (speechSynthesis, a Chinese voice only) or, failing that, shown as text alone;
//  - a call older than `stale_after_s` when it reaches the display (by `called_at` against the
//    page clock corrected with the server's `now`) is never announced.

import { clock, hallTime } from "./clock.js";
import { config } from "./config.js";
import { fetchDevice, forgetKey, showPairing, takeKey } from "./device.js";
import { Player } from "./player.js";
import { connect } from "/static/shared/live.js";

export { clock, config, hallTime };

var RESYNC_MS = 5 * 60 * 1000;

// -- the connection mark: small, in a corner, only while the display is not live --------------

var statusLog = [];
var hadSnapshot = false;

function setStatus(status, detail) {
  statusLog.push({ status: status, detail: detail || null, at: Date.now() });
  var mark = document.getElementById("conn");
  var live = status === "live";
  mark.hidden = live;
  mark.className = "conn conn-" + status;
  mark.querySelector(".conn-text").innerHTML = hadSnapshot
    ? "重新连接中 <span class=\"en\">Reconnecting</span>"
    : "连接中 <span class=\"en\">Connecting</span>";
  document.body.classList.toggle("is-offline", !live);
}

// -- boot: key, device, live state -------------------------------------------------------------

// options: rooms(device) -> [...], onDevice(device), onSnapshot(ack, first), onEvent(name, data),
//          accept(info) -> bool (which calls this screen announces)
export function boot(options) {
  window.__hallqShown = window.__hallqShown || {};
  var api = window.__hallqDisplay = {
    config: config, clock: clock, statusLog: statusLog, device: null, live: null, player: null
  };
  var key = takeKey();
  if (!key) { showPairing(""); return api; }
  var player = api.player = new Player({
    staleAfterS: config.stale_after_s, fallbackMs: config.fallback_ms, voice: config.voice
  });
  player.accept = function (info) { return options.accept ? options.accept(info) : true; };
  api.announce = function (payload) { player.announce(payload); };
  document.getElementById("screen").hidden = false;
  setStatus("connecting");

  var lastSettings = null;
  var applyDevice = function (device) {
    var settings = JSON.stringify(device.settings || {});
    if (settings === lastSettings) { return; }
    lastSettings = settings;
    api.device = device;
    player.sound = !(device.settings && device.settings.sound === false);
    options.onDevice(device);
  };

  var start = function (device) {
    applyDevice(device);
    var first = true;
    var live = api.live = connect({
      rooms: options.rooms(device),
      auth: { device_key: key },
      onStatus: function (status, detail) {
        setStatus(status, detail);
        if (status === "offline" && /revoked|unknown/i.test(detail || "")) { recheck(); }
      },
      onSnapshot: function (ack) {
        clock.sync(ack.now);
        options.onSnapshot(ack, first);
        if (!first) { fetchDevice(key).then(function (r) { if (r.device) { applyDevice(r.device); } }); }
        first = false;
        hadSnapshot = true;
      },
      onEvent: function (name, data) {
        if (name === "announcement") { return; }  // handled below, whatever its seq
        options.onEvent(name, data);
      }
    });
    // Announcements are not state: one whose seq is not newer than a fresh snapshot (the display
    // resubscribed between the call and its synthesis) must still be heard, so it bypasses the
    // seq filter; the player's own key (ticket, called_at) keeps it from playing twice.
    live.socket.on("announcement", function (data) { player.announce(data); });
  };

  // Delivery is at most once and a room may see gaps in seq (changes for other rooms), so a lost
  // event cannot be told from a quiet hall: take a fresh snapshot now and then as well.
  api.resync = function () {
    if (api.live && api.live.socket && api.live.socket.connected) { api.live.subscribe(); }
  };
  setInterval(api.resync, RESYNC_MS);

  // Sound refused by the browser (started without the kiosk flags): a touch or key turns it on.
  var unlock = function () {
    if (!player.blocked) { return; }
    player.blocked = false;
    document.body.classList.remove("sound-blocked");
  };
  document.addEventListener("pointerdown", unlock);
  document.addEventListener("keydown", unlock);

  var recheck = function () {
    fetchDevice(key).then(function (r) {
      if (r.unauthorized) {
        if (api.live) { api.live.stop(); }
        forgetKey();
        showPairing(r.otherHall || "密钥无效或已吊销，请重新配对。 The key is unknown or revoked: pair this display again.");
      }
    });
  };

  var attempt = 0;
  var tryDevice = function () {
    fetchDevice(key).then(function (r) {
      if (r.device) { return start(r.device); }
      if (r.unauthorized) {
        forgetKey();
        return showPairing(r.otherHall || "密钥无效或已吊销，请重新配对。 The key is unknown or revoked: pair this display again.");
      }
      setStatus("offline", r.offline);
      attempt += 1;
      setTimeout(tryDevice, Math.min(5000, 500 * attempt));
    });
  };
  tryDevice();
  return api;
}

// Records when a number first appeared on screen (the browser tests measure call latency).
export function markShown(number) {
  var shown = window.__hallqShown = window.__hallqShown || {};
  if (!shown[number]) { shown[number] = performance.timeOrigin + performance.now(); }
}
