// The floor: every queue (waiting, longest wait, estimate for a new ticket, arrivals in the last
// 30 minutes with their trend, served today) and every window (status, staff, current ticket and
// for how long, served today, idle and paused time). Ages tick on the page between events: an
// element with `data-since` (ms, server clock) shows the time since, `data-base` seconds added.

import { floor, hall, queueVisible, windowVisible } from "./state.js";
import { selectWindow } from "./tools.js";
import { bi, stopwatch } from "/static/shared/bilingual.js";
import { $, clear, h } from "/static/shared/dom.js";

function now() { return Date.now() + (floor.skew || 0); }

// "12:05" for a short time, "1h05" past the hour.
export function age(seconds) {
  if (seconds === null || seconds === undefined) { return "—"; }
  seconds = Math.max(0, Math.floor(seconds));
  if (seconds < 3600) { return stopwatch(seconds); }
  var m = Math.floor(seconds / 60);
  return Math.floor(m / 60) + "h" + String(m % 60).padStart(2, "0");
}

function ticking(cls, sinceMs, baseS) {
  var node = h("span", { cls: cls, "data-since": String(sinceMs), "data-base": String(baseS || 0) });
  node.textContent = age((baseS || 0) + (now() - sinceMs) / 1000);
  return node;
}

export function tick() {
  Array.prototype.forEach.call(document.querySelectorAll("[data-since]"), function (node) {
    node.textContent = age(Number(node.dataset.base) + (now() - Number(node.dataset.since)) / 1000);
  });
  $("clock").textContent = hallClock(now(), floor.nowIso);
}

// "10:27" in the hall's own time zone (the offset the server writes its times with), not this PC's.
// Before sign-in there is no snapshot to take the offset from: the page names the hall's zone.
export function hallClock(ms, iso) {
  var m = /([+-])(\d\d):(\d\d)$/.exec(iso || "");
  if (!m) { return zoneClock(ms, document.body.dataset.timezone); }
  var offset = (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  var d = new Date(ms + offset * 60000);
  return String(d.getUTCHours()).padStart(2, "0") + ":" + String(d.getUTCMinutes()).padStart(2, "0");
}

function zoneClock(ms, zone) {
  try {
    return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone || undefined })
      .format(new Date(ms));
  } catch (e) {  // a zone this browser does not know: its own clock beats none
    var d = new Date(ms);
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }
}

export function renderAll() { renderQueues(); renderFloor(); }

function queueCodes() {
  var order = hall.catalog ? hall.catalog.queues.map(function (q) { return q.code; }) : Object.keys(floor.queues);
  return order.filter(function (c) { return floor.queues[c] && queueVisible(c); });
}

function trend(x) {
  if (x.arrivals_30m === undefined) { return h("span", { cls: "na", text: "—" }); }
  var prev = x.arrivals_prev_30m || 0, cur = x.arrivals_30m;
  var arrow = cur > prev ? "↑" : cur < prev ? "↓" : "→";
  return h("span", { cls: "trend " + (cur > prev ? "up" : cur < prev ? "down" : "flat"),
    title: "前30分钟 previous 30 min: " + prev }, [String(cur) + " ", h("span", { cls: "arrow", text: arrow })]);
}

export function renderQueues() {
  var body = clear($("queues"));
  var total = 0;
  queueCodes().forEach(function (code) {
    var q = floor.queues[code], x = floor.extra.queues[code] || {}, cat = hall.queueCat[code] || {};
    total += q.waiting || 0;
    // estimate_new_s (the board) and estimate_s (the queue view) are the same HallQ estimate for a ticket taken now.
    var est = x.estimate_new_s !== undefined ? x.estimate_new_s : q.estimate_s;
    var waitCell = q.waiting ? ticking("age", q.asOf || now(), q.longest_wait_s || 0) : h("span", { cls: "na", text: "—" });
    body.appendChild(h("tr", { cls: "queue" + (q.unserved && q.waiting ? " unserved" : "") + (q.waiting ? "" : " empty"),
      "data-queue": code }, [
      h("td", { cls: "q-name" }, [h("b", { cls: "q-code", text: code }), " " + (q.name || cat.name || code) + " ",
        h("span", { cls: "en", text: q.name_en || cat.name_en || "" }),
        q.unserved && q.waiting ? h("span", { cls: "badge bad" }, [bi("无窗口", "no window")]) : null]),
      h("td", { cls: "num waiting", text: String(q.waiting || 0) }),
      h("td", { cls: "num" }, [waitCell]),
      h("td", { cls: "num", text: est === null || est === undefined ? "—" : Math.round(est / 60) + "′" }),
      h("td", { cls: "num" }, [trend(x)]),
      h("td", { cls: "num", text: String(x.served_today !== undefined ? x.served_today : (q.served_today || 0)) })
    ]));
  });
  $("queues-sum").textContent = "共 " + total + " 人等候 · " + total + " waiting";
}

var STATUS = { open: ["服务中", "open"], paused: ["暂停", "paused"], closed: ["关闭", "closed"] };

function servedQueues(w) {
  return (w.queues || []).map(function (q) { return typeof q === "string" ? { queue: q, weight: 1 } : q; });
}

function windowCard(w) {
  var x = floor.extra.windows[w.id] || {};
  var st = STATUS[w.status] || [w.status, w.status];
  var cur = w.current, lines = [];
  if (cur) {
    var since = x.current && x.current.number === cur.number && x.current.since_s !== undefined && floor.extra.at
      ? ticking("age", floor.extra.at, x.current.since_s)
      : floor.calledAt[cur.id] ? ticking("age", floor.calledAt[cur.id], 0) : null;
    lines.push(h("div", { cls: "w-current" }, [h("b", { cls: "w-number", text: cur.number }),
      " " + (cur.status === "serving" ? "办理中" : "已呼叫") + " ", since]));
  } else if (w.status === "paused") {
    lines.push(h("div", { cls: "w-current paused" }, [(w.pause_reason || "暂停") + " ",
      w.since ? ticking("age", Date.parse(w.since), 0) : null]));
  } else if (w.status === "open") {
    lines.push(h("div", { cls: "w-current idle" }, ["空闲 Idle ",
      x.idle_s !== undefined ? h("span", { cls: "age", text: age(x.idle_s) }) : null]));
  }
  // Today's paused time by reason, but not the pause going on: the line above ticks it from the
  // window's own `since`, and this half-minute-old total beside it read as a second, other time.
  var paused = x.paused_s_by_reason || {};
  var ongoing = w.status === "paused" ? (w.pause_reason || "暂停") : null;
  var pausedText = Object.keys(paused).filter(function (r) { return paused[r] > 0 && r !== ongoing; })
    .map(function (r) { return r + " " + age(paused[r]); }).join(" · ");
  return h("button", { type: "button", cls: "win st-" + w.status + (w.kind === "proxy" ? " proxy" : ""),
    "data-window": w.id, "data-status": w.status, title: (w.name || "") + " " + (w.name_en || ""),
    onclick: function () { selectWindow(w.id); } }, [
    h("div", { cls: "w-head" }, [h("span", { cls: "w-no", text: String(w.number || w.id) }),
      h("span", { cls: "w-st", text: st[0] }),
      h("span", { cls: "w-q", text: servedQueues(w).map(function (q) { return q.queue + (q.weight > 1 ? "×" + q.weight : ""); }).join(" ") })]),
    h("div", { cls: "w-staff", text: w.staff ? w.staff.name : "—" }),
    lines[0] || h("div", { cls: "w-current" }),
    h("div", { cls: "w-foot" }, [
      x.served_today !== undefined ? h("span", { cls: "w-served" }, ["已办 " + x.served_today + " ", h("span", { cls: "en", text: "served" })]) : "",
      pausedText ? h("span", { cls: "w-paused" }, [" 暂停 ", h("span", { cls: "en", text: "paused" }), " " + pausedText]) : null])
  ]);
}

export function renderFloor() {
  var box = clear($("floor"));
  var order = hall.catalog ? hall.catalog.windows.map(function (w) { return w.id; }) : Object.keys(floor.windows);
  var counts = { open: 0, paused: 0, closed: 0 };
  order.forEach(function (id) {
    var w = floor.windows[id];
    if (!w) { return; }
    var cat = hall.windowCat[id] || {};
    var full = Object.assign({ kind: cat.kind, department: cat.department }, w);
    if (!windowVisible(full)) { return; }
    counts[w.status] = (counts[w.status] || 0) + 1;
    box.appendChild(windowCard(full));
  });
  $("floor-sum").textContent = counts.open + " 服务中 open · " + counts.paused + " 暂停 paused · " + counts.closed + " 关闭 closed";
}
