// The hall screen (综合屏): the latest calls, waiting counts, notices, date and time.
// Which windows and queues it shows comes from its device settings (docs/display.md).

import { boot, clock, config, hallTime, markShown } from "./display.js";
import { fitAll } from "./fit.js";
import { $, el } from "/static/shared/dom.js";

var FLASH_MS = 8000;
// Two columns of four; three of four when more have been called (ten windows at once all show).
var LIST_MAX = 12;
var LIST_ROOMY = 8;
var KEEP = 16;

var windowsById = {};
config.windows.forEach(function (w) { windowsById[w.id] = w; });
var queuesByCode = {};
config.queues.forEach(function (q) { queuesByCode[q.code] = q; });

var state = { calls: [], queues: {}, notices: config.notices.slice() };
var today = null;
var filter = { windows: null, queues: null, label: "" };
var flashTimer = null;
var flashedKey = null;

// -- which part of the hall this screen shows --------------------------------------------------

function setFilter(settings) {
  settings = settings || {};
  var zones = settings.zone ? [].concat(settings.zone).map(String) : [];
  var ids = Array.isArray(settings.windows) ? settings.windows.map(String) : null;
  var windows = null;
  if (ids) {
    windows = ids;
  } else if (zones.length) {
    windows = config.windows.filter(function (w) { return zones.indexOf(w.zone) >= 0; })
      .map(function (w) { return w.id; });
  }
  var queues = null;
  if (Array.isArray(settings.queues)) {
    queues = settings.queues.map(String);
  } else if (windows) {
    var served = {};
    windows.forEach(function (id) { (windowsById[id] ? windowsById[id].queues : []).forEach(function (q) { served[q] = true; }); });
    queues = config.queues.map(function (q) { return q.code; }).filter(function (c) { return served[c]; });
  }
  filter = { windows: windows, queues: queues, label: settings.title || zones.join(" · ") };
}

function showsWindow(id) { return !filter.windows || filter.windows.indexOf(String(id)) >= 0; }
function showsQueue(code) { return !filter.queues || filter.queues.indexOf(code) >= 0; }

// -- calls -------------------------------------------------------------------------------------

function callFrom(data) {
  var t = data.ticket;
  var w = windowsById[data.window || t.window] || {};
  return {
    ticket: t.id, number: t.number, queue: t.queue, window: data.window || t.window,
    window_name: data.window_name || t.window_name || w.name,
    window_number: data.window_number != null ? data.window_number : w.number,
    called_at: t.called_at, status: t.status, recall: !!data.recall
  };
}

function windowLabel(call) {
  var w = windowsById[call.window] || {};
  return { zh: call.window_name || w.name || (call.window + "号窗口"), en: w.name_en || ("Window " + call.window) };
}

function visibleCalls() { return state.calls.filter(function (c) { return showsWindow(c.window); }); }

function renderCalls() {
  var calls = visibleCalls();
  var hero = calls[0];
  var box = $("call-hero");
  if (!hero) {
    box.className = "call-hero idle";
    $("hero-number").textContent = "—";
    $("hero-window").textContent = "暂无呼叫";
    $("hero-window").parentNode.classList.remove("long");
    $("hero-window-en").textContent = "No calls yet";
  } else {
    var label = windowLabel(hero);
    box.classList.remove("idle");
    box.dataset.number = hero.number;
    $("hero-number").textContent = hero.number;
    $("hero-window").textContent = label.zh;
    $("hero-window").parentNode.classList.toggle("long", label.zh.length > 6);
    $("hero-window-en").textContent = label.en;
    markShown(hero.number);
    flash(hero);
  }
  var list = $("call-list");
  list.textContent = "";
  var listed = calls.slice(1, LIST_MAX + 1);
  list.classList.toggle("dense", listed.length > LIST_ROOMY);
  listed.forEach(function (c) {
    var label = windowLabel(c);
    var li = el("li", "call status-" + c.status);
    li.dataset.callNumber = c.number;
    li.appendChild(el("span", "call-number", c.number));
    li.appendChild(el("span", "call-arrow", "→"));
    li.appendChild(el("span", "call-window", label.zh));
    list.appendChild(li);
    markShown(c.number);
  });
  fitNames();
}

// The newest call flashes for a few seconds after it was made (not again on a redraw).
function flash(call) {
  var box = $("call-hero");
  var key = call.ticket + "|" + call.called_at;
  var age = clock.now() - Date.parse(call.called_at);
  if (key === flashedKey) { return; }
  flashedKey = key;
  clearTimeout(flashTimer);
  box.classList.remove("flash");
  if (!(age < FLASH_MS)) { return; }
  void box.offsetWidth;  // restart the animation
  box.classList.add("flash");
  flashTimer = setTimeout(function () { box.classList.remove("flash"); }, Math.max(0, FLASH_MS - Math.max(0, age)));
}

function onCalled(data) {
  var call = callFrom(data);
  state.calls = state.calls.filter(function (c) { return c.ticket !== call.ticket; });
  state.calls.unshift(call);
  state.calls = state.calls.slice(0, KEEP);
  renderCalls();
  window.__hallqDisplay.player.called(call, call.recall ? "recall" : "call");
}

function onUpdated(t) {
  var changed = false;
  state.calls = state.calls.filter(function (c) {
    if (c.ticket !== t.id) { return true; }
    changed = true;
    // Sent back to waiting (a transfer) or cancelled: no longer a call on this screen.
    if (t.status === "waiting" || t.status === "cancelled") { return false; }
    c.status = t.status;
    return true;
  });
  if (changed) { renderCalls(); }
  // Served, sent back or cancelled before its turn came: not announced any more.
  if (t.status !== "called") {
    window.__hallqDisplay.player.drop(function (it) { return it.ticket === t.id; }, "ticket_" + t.status, true);
  }
}

// -- waiting counts ------------------------------------------------------------------------------

function renderQueues() {
  var grid = $("queue-grid");
  var shown = config.queues.filter(function (q) { return showsQueue(q.code); });
  grid.textContent = "";
  grid.className = "queue-grid" + (shown.length > 12 ? " dense" : shown.length > 6 ? " two" : "");
  shown.forEach(function (q) {
    var v = state.queues[q.code] || {};
    var tile = el("div", "queue" + (v.unserved ? " unserved" : ""));
    tile.dataset.queue = q.code;
    tile.appendChild(el("span", "queue-code", q.prefix || q.code));
    var names = el("span", "queue-names");
    names.appendChild(el("span", "queue-name", q.name));
    names.appendChild(el("span", "queue-name-en en", v.unserved ? "暂无窗口 · No window open" : q.name_en));
    tile.appendChild(names);
    var count = el("span", "queue-count");
    var n = el("span", "queue-waiting", v.waiting == null ? "–" : String(v.waiting));
    n.dataset.waiting = v.waiting == null ? "" : String(v.waiting);
    count.appendChild(n);
    count.appendChild(el("span", "queue-unit", "人"));
    tile.appendChild(count);
    grid.appendChild(tile);
  });
  fitNames();
}

// Queue names are what a visitor looks for on this screen: whole, however long (fit.js).
function fitNames() {
  fitAll($("queue-grid"), ".queue-name", 0.8, true);
  fitAll($("queue-grid"), ".queue-name-en", 0.85, true);
  fitAll($("call-list"), ".call-window", 0.7, false);
}

// -- notices --------------------------------------------------------------------------------------

var noticesText = null;

function renderNotices() {
  var text = (state.notices || []).join("　　◆　　");
  if (text === noticesText) { return; }
  noticesText = text;
  var run = $("notices-run");
  run.textContent = text;
  // A steady reading speed whatever the length: about 120 px a second at 1920 wide.
  var px = run.scrollWidth + run.parentNode.clientWidth;
  run.style.animationDuration = Math.max(20, Math.round(px / 120)) + "s";
}

// -- clock -------------------------------------------------------------------------------------

function tick() {
  var t = hallTime();
  $("clock-time").textContent = t.time;
  $("clock-date").textContent = t.date + " " + t.weekday;
  // A new day in the hall: yesterday's calls go, with a fresh snapshot.
  if (today && t.iso !== today && window.__hallqDisplay.resync) { window.__hallqDisplay.resync(); }
  today = t.iso;
  setTimeout(tick, 1000 - (clock.now() % 1000) + 5);
}

// -- wiring ----------------------------------------------------------------------------------------

function renderAll() {
  $("zone").textContent = filter.label;
  renderCalls();
  renderQueues();
  renderNotices();
}

// The banner lies over the header strip only: the calls, the recent calls and the waiting counts
// stay in view, undimmed, however busy the voice is (display.css, issue 9).
document.getElementById("screen").appendChild(document.getElementById("banner"));
window.addEventListener("resize", fitNames);

boot({
  rooms: function () { return ["hall"]; },
  accept: function (info) { return showsWindow(info.window); },
  onDevice: function (device) { setFilter(device.settings); renderAll(); },
  onSnapshot: function (ack, first) {
    var hall = ack.hall || {};
    state.calls = (hall.latest_calls || []).slice(0, KEEP);
    state.queues = {};
    (hall.queues || []).forEach(function (q) { state.queues[q.code] = q; });
    if (hall.notices) { state.notices = hall.notices; }
    renderAll();
    if (first) {
      window.__hallqDisplay.player.known(state.calls);
    } else {
      // Back from a drop: a call made meanwhile that is still waiting for its visitor and is
      // fresh is announced now; older ones (over 30 s) the player refuses.
      state.calls.slice().reverse().forEach(function (c) {
        if (c.status === "called") { window.__hallqDisplay.player.called(c, "catch-up"); }
      });
    }
  },
  onEvent: function (name, data) {
    if (name === "ticket.called") { onCalled(data); }
    else if (name === "ticket.updated") { onUpdated(data.ticket); }
    else if (name === "queue.updated") { state.queues[data.queue.code] = data.queue; renderQueues(); }
    else if (name === "hall.notice" && Array.isArray(data.notices)) { state.notices = data.notices; renderNotices(); }
  }
});
tick();
