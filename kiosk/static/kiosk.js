// The HallQ kiosk: departments → service items → the item's guide (article 7) → take a number.
// Rule of this page: it shows a number only when the server answered 201 with that ticket.
// Anything else (409 outside hours or for a queue no window serves, 401 bad key, no network)
// is explained in Chinese and English, and no number appears.
//
// An ES module: the words are in texts.js, what it holds in state.js, the screens in view.js,
// the catalogue in catalog.js, the key and live connection in pairing.js, the number in ticket.js,
// a booking's check-in in checkin.js.
// This one wires them: the language, going home when idle, the buttons.

import { resetCheckin, wireCheckin } from "./checkin.js";
import { loadCatalog, openDept, renderGuide, renderHome, renderItems } from "./catalog.js";
import { pair, readKey, showPair, storage } from "./pairing.js";
import { resetProgress, wireProgress } from "./progress.js";
import { state, t } from "./state.js";
import { renderResult, take } from "./ticket.js";
import { idleSeconds, renderCountdown, show } from "./view.js";
import { $, each } from "/static/shared/dom.js";

var IDLE_S = 90;            // any screen but the result's goes back to the start after this long

function goHome() {
  state.dept = null;
  state.item = null;
  state.ticket = null;
  state.error = null;
  state.notice = null;
  $("search").value = "";
  resetProgress();
  resetCheckin();
  $("return-ref").value = "";
  show(state.key ? "home" : "pair");
  setLang("zh");
}

// -- language -----------------------------------------------------------------------------

function setLang(lang) {
  state.lang = lang;
  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
  $("lang-zh").setAttribute("aria-pressed", String(lang === "zh"));
  $("lang-en").setAttribute("aria-pressed", String(lang === "en"));
  each("[data-t]", function (e) {
    e.textContent = t(e.dataset.t);
  });
  $("search").placeholder = t("search_hint");
  renderHome();
  if (state.screen === "items") { renderItems(); }
  if (state.item) { renderGuide(); }
  if (state.ticket) { renderResult(); }
  renderCountdown();
}

// -- idle and clock -----------------------------------------------------------------------

// The hall's own time zone, whatever the kiosk PC is set to.
var clockFormat = (function () {
  try {
    return new Intl.DateTimeFormat("zh-CN", {
      hour: "2-digit", minute: "2-digit", hour12: false, timeZone: document.body.dataset.timezone || undefined
    });
  } catch (e) {
    return new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false });
  }
})();

function tick() {
  $("clock").textContent = clockFormat.format(new Date());
  if (state.screen === "result") {
    if (renderCountdown() <= 0) { goHome(); }
  } else if (["items", "guide", "green", "error", "progress", "return", "checkin"].indexOf(state.screen) >= 0 && idleSeconds() > IDLE_S) {
    goHome();
  }
}

// -- wiring -------------------------------------------------------------------------------

function wire() {
  ["pointerdown", "keydown", "input"].forEach(function (ev) {
    document.addEventListener(ev, function () { state.lastActive = Date.now(); }, true);
  });
  $("lang-zh").addEventListener("click", function () { setLang("zh"); });
  $("lang-en").addEventListener("click", function () { setLang("en"); });
  each("[data-go]", function (b) {
    b.addEventListener("click", function () {
      var to = b.dataset.go;
      if (to === "home") { goHome(); }
      else if (to === "departments") { state.dept = null; $("search").value = ""; show("home"); }
      else if (to === "items") { renderItems(); show("items"); }
      else if (to === "guide") { show("guide"); }
    });
  });
  $("search-all").addEventListener("click", function () { openDept(null); $("search").focus(); });
  $("search").addEventListener("input", renderItems);
  $("search-clear").addEventListener("click", function () { $("search").value = ""; renderItems(); $("search").focus(); });
  $("take").addEventListener("click", function () { take(null); });
  $("green").addEventListener("click", function () { show("green"); });
  each(".btn-reason", function (b) {
    b.addEventListener("click", function () { take(b.dataset.reason); });
  });
  $("done").addEventListener("click", goHome);
  $("error-back").addEventListener("click", function () { show(state.notice ? "return" : state.item ? "guide" : "home"); });
  // A returning visitor: a scanner types the notice's QR text and Enter into the focused field.
  $("return-btn").addEventListener("click", function () { show("return"); $("return-ref").focus(); });
  $("return-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var ref = $("return-ref").value.trim();
    if (ref) { take(null, ref); }
  });
  $("pair-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var key = $("pair-key").value.trim();
    if (!key) { return; }
    storage("set", key);
    pair(key);
    goHome();
  });
  wireProgress();
  wireCheckin();
  setInterval(tick, 1000);
}

wire();
setLang("zh");
tick();
var key = readKey();
if (key) {
  pair(key);
  show("home");
} else {
  showPair(false);
}
loadCatalog();
