// Staying live: the `hall` and `followups` rooms' snapshot on every (re)connect, then newer events; the manager's
// board route (figures the snapshot lacks) read again on each snapshot, every half minute, and
// soon after the floor moved. Order of trust as on every face: snapshot, then events, then the
// answers of this page's own actions.

import { loadAlerts, onAlertEvent } from "./alerts.js";
import { optional } from "./api.js";
import { onBookingEvent } from "./bookings.js";
import { onFollowupEvent, onFollowupSnapshot } from "./followups.js";
import { renderAll, renderFloor, renderQueues, tick } from "./floor.js";
import { showError } from "./notes.js";
import { expire } from "./session.js";
import { floor, session } from "./state.js";
import { refreshTools, onToolEvent } from "./tools.js";
import { bi } from "/static/shared/bilingual.js";
import { $, clear } from "/static/shared/dom.js";
import { connect } from "/static/shared/live.js";
import { newest } from "/static/shared/newest.js";

var EXTRA_EVENTS = ["alert.queue_unserved", "alert.queue_served", "alert.ticket_unserved", "alert.ticket_served",
  "alert.raised", "alert.cleared", "allocation.changed", "proposal.updated",
  "followup.opened", "followup.updated", "followup.warning",
  "appointment.booked", "appointment.cancelled", "appointment.checked_in", "appointment.no_show"];
var BOARD_EVERY_MS = 30000;
var timers = { board: null, soon: null };

export function startBoard() {
  stopBoard();
  floor.conn = "connecting";
  renderConn();
  floor.live = connect({
    rooms: ["hall", "followups"], auth: { token: session.token }, events: EXTRA_EVENTS,
    onSnapshot: onSnapshot, onEvent: onEvent, onStatus: onStatus
  });
  timers.board = setInterval(loadBoard, BOARD_EVERY_MS);
  refreshTools();
}

export function stopBoard() {
  if (floor.live) { floor.live.stop(); floor.live = null; }
  clearInterval(timers.board);
  clearTimeout(timers.soon);
}

function onStatus(status, message) {
  floor.conn = status;
  renderConn();
  if (status === "error") {
    if (floor.live && floor.live.ended) { expire(); return; }
    showError("实时连接被拒绝 Live updates refused: " + (message || ""));
  }
  if (status === "offline" && floor.live && floor.live.ended) { expire(); }
}

function renderConn() {
  var ok = floor.conn === "live";
  $("conn").hidden = ok;
  document.body.dataset.live = ok ? "live" : "reconnecting";
  clear($("conn-text")).appendChild(floor.conn === "connecting" ? bi("连接中", "Connecting…")
    : bi("重新连接中，显示可能过时", "Reconnecting: this may be out of date"));
}

// The server's clock, from a snapshot's `now`: ages are counted on it, not on this PC's.
export function serverNow() { return Date.now() + (floor.skew || 0); }

function onSnapshot(ack) {
  floor.snapshots += 1;
  document.body.dataset.snapshots = String(floor.snapshots);
  if (ack.now) { floor.skew = Date.parse(ack.now) - Date.now(); floor.nowIso = ack.now; }
  var view = ack.hall || {};
  floor.queues = {}; floor.windows = {};
  var at = serverNow();
  (view.queues || []).forEach(function (q) { q.asOf = at; floor.queues[q.code] = q; });
  (view.windows || []).forEach(function (w) { floor.windows[w.id] = w; });
  (view.latest_calls || []).forEach(function (c) { if (c.called_at) { floor.calledAt[c.ticket] = Date.parse(c.called_at); } });
  renderAll();
  tick();  // the clock at once, in the hall's zone, not a second later
  loadAlerts();
  loadBoard();
  onFollowupSnapshot(ack.followups);
}

function onEvent(name, data) {
  floor.events += 1;
  document.body.dataset.events = String(floor.events);
  if (name === "window.updated" && data.window) {
    floor.windows[data.window.id] = Object.assign({}, floor.windows[data.window.id] || {}, data.window);
    renderFloor();
  } else if (name === "queue.updated" && data.queue) {
    data.queue.asOf = serverNow();
    floor.queues[data.queue.code] = Object.assign({}, floor.queues[data.queue.code] || {}, data.queue);
    renderQueues();
  } else if (name === "ticket.called" && data.ticket && data.ticket.called_at) {
    floor.calledAt[data.ticket.id] = Date.parse(data.ticket.called_at);
    renderFloor();
  }
  if (name.indexOf("alert.") === 0 || name === "case.warning" || name === "printer.updated") { onAlertEvent(name, data); }
  onToolEvent(name, data);
  if (name.indexOf("followup.") === 0) { onFollowupEvent(name, data); }
  if (name.indexOf("appointment.") === 0) { onBookingEvent(name, data); }
  if (name.indexOf("ticket.") === 0) { boardSoon(); }
}

// Served today, arrivals and idle times move with every ticket: read again, at most every 3 s.
function boardSoon() {
  if (floor.routes.board === false || timers.soon) { return; }
  timers.soon = setTimeout(function () { timers.soon = null; loadBoard(); }, 3000);
}

// Read on each snapshot, soon after tickets move and every half minute: only the newest read draws.
var boardReads = newest();

export function loadBoard() {
  if (floor.routes.board === false) { return Promise.resolve(); }
  var mine = boardReads.next();
  return optional("board", "/manage/board").then(function (b) {
    if (!boardReads.is(mine)) { return; }
    if (!b) { renderAll(); return; }
    var at = serverNow();
    if (b.at) { floor.nowIso = b.at; }
    floor.extra = { queues: {}, windows: {}, at: at };
    (b.queues || []).forEach(function (q) { floor.extra.queues[q.code] = q; });
    (b.windows || []).forEach(function (w) { floor.extra.windows[w.id] = w; });
    if (b.proposals) { floor.proposals = b.proposals; }
    if (b.alerts) { loadAlerts(b.alerts); }
    renderAll();
  }, function (err) { if (err.status !== 403) { showError(err); } });
}
