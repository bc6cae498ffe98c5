// Attaching to a window and staying live: the subscribe snapshot, then newer events (the order of
// trust is in console.js's header); losing the window when someone else takes it.

import { renderActions } from "./actions.js";
import { api } from "./api.js";
import { showChooser } from "./chooser.js";
import { note, showError } from "./notes.js";
import { renderAll, renderQueues } from "./render.js";
import { screen } from "./session.js";
import { desk, hall, KEY, session } from "./state.js";
import { loadToday, movesToday } from "./today.js";
import { bi } from "/static/shared/bilingual.js";
import { $, h } from "/static/shared/dom.js";
import { connect } from "/static/shared/live.js";

// -- the console ---------------------------------------------------------------------------

export function mine() {
  return !!(desk.wstate && desk.wstate.staff && session.user && desk.wstate.staff.id === session.user.id);
}

export function windowQueues() {
  var w = hall.windowCat[desk.win];
  return w ? w.queues.map(function (sq) { return sq.queue; }) : [];
}

export function attach(id) {
  desk.win = id;
  sessionStorage.setItem(KEY + "window", id);
  desk.wstate = null; desk.ticket = null; desk.queues = {}; desk.result = null;
  var w = hall.windowCat[id];
  $("win-name").textContent = w ? w.name + " " : id;
  if (w) { $("win-name").appendChild(h("span", { cls: "en", text: w.name_en })); }
  desk.today = null;
  desk.day = localDay();
  screen("console");
  renderAll();
  startLive();
}

function localDay() {
  var d = new Date();
  return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
}

// -- live ------------------------------------------------------------------------------------

function startLive() {
  stopLive();
  var rooms = ["window:" + desk.win].concat(windowQueues().map(function (q) { return "queue:" + q; }));
  desk.conn = "connecting";
  desk.live = connect({
    rooms: rooms, auth: { token: session.token }, events: ["rating.received", "guide.revised"],
    onSnapshot: onSnapshot, onEvent: onEvent, onStatus: onStatus
  });
  renderConn();
}

export function stopLive() {
  if (desk.live) { desk.live.stop(); desk.live = null; }
}

function onStatus(status, message) {
  desk.conn = status;
  renderConn();
  if (status === "error") { showError("实时连接被拒绝 Live updates refused: " + (message || "")); }
  // A refused connection (expired token) is not retried by Socket.IO: ask the API who we are.
  if (status === "offline" && message && desk.live && desk.live.socket && !desk.live.socket.active &&
      !desk.live.retrying) {
    api("GET", "/auth/me").catch(function (err) { showError(err); });
  }
}

function renderConn() {
  var online = navigator.onLine !== false;
  var ok = desk.conn === "live" && online;
  var box = $("conn");
  box.hidden = ok || document.body.dataset.screen !== "console";
  box.className = "conn " + (online ? "reconnecting" : "offline");
  $("conn-text").textContent = "";
  $("conn-text").appendChild(!online ? bi("网络已断开，显示可能过时", "Offline: this may be out of date")
    : desk.conn === "connecting" ? bi("连接中", "Connecting…") : bi("重新连接中，显示可能过时", "Reconnecting…"));
  document.body.dataset.live = ok ? "live" : "reconnecting";
  renderActions();
}

function onSnapshot(ack) {
  desk.snapshots += 1;
  document.body.dataset.snapshots = String(desk.snapshots);
  if (ack.now) { desk.day = ack.now.slice(0, 10); }
  Object.keys(ack.queues || {}).forEach(function (code) { desk.queues[code] = ack.queues[code]; });
  var w = ack.windows && ack.windows[desk.win];
  if (w) { applyWindow(w); }
  if (mine()) { loadToday(); }
  renderAll();
}

function onEvent(name, data) {
  if (name === "rating.received") {
    // 好差评: the visitor rated the service; the console learns that, never the value.
    if (data.window === desk.win) {
      desk.ratings = (desk.ratings || 0) + 1;
      document.body.dataset.ratings = String(desk.ratings);
      note("收到一条评价（" + data.number + "） A rating came in (" + data.number + ")", "info");
    }
  } else if (name === "guide.revised") {
    // An admin revised a guide: the acceptance checklist lists the materials now in force.
    api("GET", "/catalog").then(function (res) {
      hall.catalog = res.data;
      res.data.items.forEach(function (i) { hall.items[i.code] = i; });
    }, function () { /* the next sign-in loads it again */ });
  } else if (name === "window.updated" && data.window && data.window.id === desk.win) {
    applyWindow(data.window);
  } else if (name === "queue.updated" && data.queue) {
    desk.queues[data.queue.code] = data.queue;
    renderQueues();
  } else if (data.ticket) {
    applyTicket(data.ticket);
  }
}

export function applyWindow(w) {
  if (desk.leaving) { return; }     // signing off: the "closed" echo is ours
  desk.wstate = w;
  if (!mine()) { lostWindow(w); return; }
  var cur = w.current;
  if (!cur) {
    desk.ticket = null;
  } else if (!desk.ticket || desk.ticket.id !== cur.id) {
    desk.ticket = null;
    fetchTicket(cur.id);
  } else {
    desk.ticket.status = cur.status;
  }
  renderAll();
}

function lostWindow(w) {
  // Closed elsewhere, or handed over to a colleague (article 26): this console no longer acts here.
  var who = w.staff ? w.staff.name : "";
  stopLive();
  desk.win = null;
  sessionStorage.removeItem(KEY + "window");
  showChooser();
  note(who ? "本窗口已由 " + who + " 接管。This window is now staffed by " + who + "."
    : "本窗口已关闭。This window was closed.", "error");
}

function fetchTicket(id) {
  api("GET", "/tickets/" + encodeURIComponent(id)).then(function (res) {
    var cur = desk.wstate && desk.wstate.current;
    if (cur && cur.id === id) { desk.ticket = res.data.ticket; renderAll(); }
  }, showError);
}

function applyTicket(t) {
  var cur = desk.wstate && desk.wstate.current;
  if (cur && t.id === cur.id && (t.status === "called" || t.status === "serving")) {
    // The queue rooms carry the public view; only the window's own room says which notice a
    // returning visitor brings (follows_case): keep it across the public copy.
    if (!("follows_case" in t) && desk.ticket && desk.ticket.id === t.id) {
      t = Object.assign({}, t, { follows_case: desk.ticket.follows_case });
    }
    desk.ticket = t; cur.status = t.status;
  }
  if (movesToday(t)) { loadToday(); }
  renderAll();
}

export function wireConnection() {
  window.addEventListener("offline", renderConn);
  window.addEventListener("online", function () {
    renderConn();
    if (desk.live && desk.live.socket && !desk.live.socket.connected) { desk.live.socket.connect(); }
  });
}
