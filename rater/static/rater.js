// The rating pad (评价器): idle → asked (after a finish at its window) → thanks → idle.
//
// The window's `rating.requested` brings the service to rate; the visitor taps a level (for the
// two poor ones, reason tags and a submit); the pad posts it with its own key. Any touch restarts
// the timeout; without one for `timeout_s` the pad drops the unfinished rating and is idle again.
// A new request replaces one still on screen: the window has moved on to the next visitor.

import { fetchDevice, forgetKey, showPairing, takeKey } from "./device.js";
import { bi } from "/static/shared/bilingual.js";
import { $, clear } from "/static/shared/dom.js";
import { connect } from "/static/shared/live.js";
import { hallRoot } from "/static/shared/hall-base.js";

var config = JSON.parse($("rater-config").textContent);
var Form = window.HallqRatingForm;
var pad = window.__hallqRater = { screen: "boot", asked: null, rated: 0, device: null, live: null };
var timer = null;
var key = null;
var current = null; // the form on screen; an answer for any other one is late and dropped
var timeoutS = config.timeout_s;

function showScreen(name) {
  pad.screen = name;
  document.body.dataset.screen = name;
  ["idle", "ask", "thanks", "pairing"].forEach(function (id) { $(id).hidden = id !== name; });
}

// Retire the form on screen: a post still in flight for it must not thank (and so wipe) the
// next visitor's form when its answer finally comes.
function retire() {
  if (current) { current.close(); }
  current = null;
}

function idle() {
  clearTimeout(timer);
  retire();
  pad.asked = null;
  $("ask-form").textContent = "";
  showScreen("idle");
}

// No touch for `seconds`: back to idle.
function later(seconds) {
  clearTimeout(timer);
  timer = setTimeout(idle, seconds * 1000);
}

function ask(data) {
  pad.asked = data;
  $("ask-name").textContent = data.staff && data.staff.name ? data.staff.name : "—";
  $("ask-no").textContent = data.staff && data.staff.staff_no ? data.staff.staff_no : "—";
  $("ask-number").textContent = data.number || "";
  $("ask-item").textContent = data.item_name || "";
  $("ask-item-en").textContent = data.item_name_en || "";
  $("ask-prompt").textContent = data.prompt || config.prompt;
  $("ask-prompt-en").textContent = data.prompt_en || config.prompt_en;
  var box = $("ask-form");
  retire();
  box.textContent = "";
  var form = current = new Form(box, {
    levels: data.levels || config.levels, tags: data.tags || config.tags, instant: true, comment: false,
    post: Form.post(hallRoot() + "/api/v1/tickets/" + encodeURIComponent(data.ticket) + "/rating", { "X-Device-Key": key }),
    onTouch: function () { if (form === current) { later(timeoutS); } },
    onDone: function (kind) { if (form === current) { thank(kind); } }
  });
  showScreen("ask");
  later(timeoutS);
}

function thank(kind) {
  retire();
  pad.rated += 1;
  pad.asked = null;
  Form.thanks($("thanks-body"), kind);
  showScreen("thanks");
  later(Math.min(config.thanks_s, timeoutS));
}

var CONN_WORDS = {
  connecting: ["连接中", "Connecting"],
  offline: ["已断开，正在重连", "Offline, reconnecting"]
};

function setConn(status) {
  var mark = $("conn");
  var words = CONN_WORDS[status] || CONN_WORDS.offline;
  clear(mark).appendChild(bi(words[0], words[1]));
  mark.hidden = status === "live";
  mark.className = "conn conn-" + status;
  document.body.dataset.live = status;
}

function start(device) {
  var settings = device.settings || {};
  var windowId = String(settings.window || "");
  pad.device = device;
  if (device.kind !== "rater" || !windowId) {
    showPairing("此密钥不是评价器的，或未配对窗口。 This key is not a rating pad's, or names no window.");
    return;
  }
  if (settings.timeout_s > 0) { timeoutS = Math.min(timeoutS, settings.timeout_s); }
  var w = config.windows[windowId] || { name: windowId, name_en: "" };
  $("pad-window").textContent = w.name + " " + w.name_en;
  idle();
  setConn("connecting");
  pad.live = connect({
    rooms: ["rater:" + windowId], auth: { device_key: key }, events: ["rating.requested"],
    onSnapshot: function () { /* the pad holds no state to restore: a lost request is not replayed */ },
    onEvent: function (name, data) { if (name === "rating.requested" && data.window === windowId) { ask(data); } },
    onStatus: function (status, detail) {
      setConn(status);
      if (status === "offline" && /revoked|unknown/i.test(detail || "")) { recheck(); }
    }
  });
}

function recheck() {
  fetchDevice(key).then(function (r) {
    if (r.unauthorized) {
      if (pad.live) { pad.live.stop(); }
      forgetKey();
      showPairing(r.otherHall || "密钥无效或已吊销，请重新配对。 The key is unknown or revoked: pair this pad again.");
    }
  });
}

function boot() {
  key = takeKey();
  if (!key) { showPairing(""); return; }
  var attempt = 0;
  var tryDevice = function () {
    fetchDevice(key).then(function (r) {
      if (r.device) { start(r.device); return; }
      if (r.unauthorized) {
        forgetKey();
        showPairing(r.otherHall || "密钥无效或已吊销，请重新配对。 The key is unknown or revoked: pair this pad again.");
        return;
      }
      setConn("offline");
      attempt += 1;
      setTimeout(tryDevice, Math.min(5000, 500 * attempt));
    });
  };
  tryDevice();
}

boot();
