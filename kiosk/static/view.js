// Which screen shows, the connection and printer marks, and the result screen's countdown.

import { state, t } from "./state.js";
import { $, each } from "/static/shared/dom.js";

export var RESULT_IDLE_S = 30;     // the result screen goes back to the start after this long untouched

export function setPrinter(status) {
  state.printerStatus = status;
  $("printer-out").hidden = !(status === "offline" || status === "paper_out");
}

export function setOnline(online, unreachable) {
  state.online = online;
  state.unreachable = !online && unreachable;
  document.body.classList.toggle("is-offline", !online);
  renderBanner();
  ["take", "green", "return-take"].forEach(function (id) { $(id).disabled = !online; });
  each(".btn-reason", function (b) { b.disabled = !online; });
  $("take-disabled").hidden = online;
  $("green-disabled").hidden = online;
}

export function show(screen) {
  each(".screen", function (s) {
    s.hidden = s.id !== "screen-" + screen;
  });
  state.screen = screen;
  state.lastActive = Date.now();
  renderBanner();
  $("main").scrollTop = 0;
}

export function renderBanner() {
  $("offline").hidden = !state.unreachable || state.screen === "pair";
}

export function idleSeconds() { return (Date.now() - state.lastActive) / 1000; }

export function renderCountdown() {
  var left = Math.max(0, Math.ceil(RESULT_IDLE_S - idleSeconds()));
  $("countdown").textContent = t("countdown", { n: left });
  return left;
}
