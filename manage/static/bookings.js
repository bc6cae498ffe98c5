// 预约 / Bookings: the appointments per queue and slot for today and the days ahead (a day picker),
// each slot's booked (已约: booked and checked in alike) / awaiting check-in (待签到) / checked in /
// no-show / cancelled and its window minutes booked of those it
// offers. Read from GET /manage/appointments over the whole booking horizon, and read again (at
// most every second) on each appointment.* event of the `hall` room (connection.js) and when the
// view opens. A chief sees the department's queues: the server answers with those only.

import { api, describe, missing, unavailable } from "./api.js";
import { session } from "./state.js";
import { bi } from "/static/shared/bilingual.js";
import { $, clear, h } from "/static/shared/dom.js";
import { newest } from "/static/shared/newest.js";

export var bk = { answer: null, day: null, timer: null, loaded: 0, showing: false };

var WEEK = ["日", "一", "二", "三", "四", "五", "六"];
var WEEK_EN = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

function addDays(iso, n) {
  var p = iso.split("-").map(Number);
  var d = new Date(Date.UTC(p[0], p[1] - 1, p[2] + n));
  return d.toISOString().slice(0, 10);
}

function weekday(iso) {
  var p = iso.split("-").map(Number);
  return new Date(Date.UTC(p[0], p[1] - 1, p[2])).getUTCDay();
}

function hhmm(iso) { return String(iso).slice(11, 16); }

// The whole horizon in one answer: today's date comes from the server (the hall's day).
// Read on opening the view and soon after each appointment.* burst: only the newest read draws.
var reads = newest();

export function loadBookings() {
  if (!session.token) { return Promise.resolve(); }
  var mine = reads.next();
  var first = bk.answer ? Promise.resolve(bk.answer) : api("GET", "/manage/appointments");
  return first.then(function (a) {
    return api("GET", "/manage/appointments?from=" + a.today + "&to=" + addDays(a.today, a.horizon_days));
  }).then(function (a) {
    if (!reads.is(mine)) { return; }
    bk.answer = a;
    bk.loaded += 1;
    document.body.dataset.bookingsLoaded = String(bk.loaded);
    if (!bk.day || !a.days.some(function (d) { return d.date === bk.day; })) { bk.day = a.today; }
    renderBookings();
  }, function (err) {
    if (!reads.is(mine)) { return; }
    if (missing(err)) { unavailable($("bk-list")); return; }
    clear($("bk-list")).appendChild(h("p", { cls: "form-msg", role: "alert", text: describe(err) }));
  });
}

// appointment.booked / cancelled / checked_in / no_show: read again soon (events come in bursts).
export function onBookingEvent() {
  if (!bk.showing) { return; }  // opening the view reads them anyway
  clearTimeout(bk.timer);
  bk.timer = setTimeout(loadBookings, 800);
}

export function showBookings(yes) {
  bk.showing = yes;
  if (yes) { loadBookings(); }
}

function dayButton(d) {
  var t = d.totals;
  var active = t.booked + t.checked_in;
  var iso = d.date;
  var label = iso === bk.answer.today ? bi("今天", "Today") : bi(Number(iso.slice(5, 7)) + "月" + Number(iso.slice(8)) + "日",
    WEEK_EN[weekday(iso)] + " " + Number(iso.slice(8)));
  return h("button", {
    type: "button", cls: "bk-day" + (d.date === bk.day ? " on" : "") + (d.workday ? "" : " closed"),
    "data-date": d.date, "aria-pressed": d.date === bk.day ? "true" : "false",
    onclick: function () { bk.day = d.date; renderBookings(); }
  }, [
    h("span", { cls: "bk-day-date" }, [label]),
    h("span", { cls: "bk-day-wd", text: "周" + WEEK[weekday(iso)] }),
    h("span", { cls: "bk-day-n" }, [d.workday ? bi("约 " + active, active + " booked") : bi("休息", "closed")])
  ]);
}

export function renderBookings() {
  var a = bk.answer;
  if (!a || !a.days) { return; }
  var strip = clear($("bk-days"));
  a.days.forEach(function (d) { strip.appendChild(dayButton(d)); });
  var day = a.days.filter(function (d) { return d.date === bk.day; })[0];
  var box = clear($("bk-list"));
  $("bk-at").textContent = hhmm(a.at);
  if (!day) { return; }
  var t = day.totals;
  clear($("bk-sum")).appendChild(h("span", {}, [
    bi("已约 " + (t.booked + t.checked_in), "booked"), " · ", bi("待签到 " + t.booked, "awaiting"), " · ",
    bi("已签到 " + t.checked_in, "checked in"), " · ",
    bi("未到 " + t.no_show, "no-show"), " · ", bi("已取消 " + t.cancelled, "cancelled")
  ]));
  if (!day.workday) { box.appendChild(h("p", { cls: "none" }, [bi("当日不办公", "The hall is closed that day")])); return; }
  if (!day.queues.length) { box.appendChild(h("p", { cls: "none" }, [bi("当日没有可预约的时段", "No bookable slots that day")])); return; }
  // The queues with bookings in full; the others on one line (their slots are all empty).
  var quiet = day.queues.filter(function (q) { return !anyBooking(q.totals); });
  day.queues.filter(function (q) { return anyBooking(q.totals); }).forEach(function (q) { box.appendChild(queueCard(q)); });
  if (quiet.length) {
    box.appendChild(h("p", { cls: "bk-quiet", id: "bk-quiet" }, [
      h("strong", {}, [bi("暂无预约的队列", "No bookings yet")]), " ",
      h("span", { text: quiet.map(function (q) { return q.queue + " " + q.name; }).join("、") })
    ]));
  }
}

function anyBooking(t) { return t.booked + t.checked_in + t.no_show + t.cancelled > 0; }

function queueCard(q) {
  var t = q.totals;
  return h("article", { cls: "bk-queue", "data-queue": q.queue }, [
    h("header", { cls: "bk-qhead" }, [
      h("strong", { text: q.queue + " " + q.name }), h("span", { cls: "en", text: q.name_en }),
      h("span", { cls: "bk-qsum" }, [bi("约 " + (t.booked + t.checked_in), "booked"), " · ",
        bi("签到 " + t.checked_in, "in"), " · ", bi("未到 " + t.no_show, "no-show"), " · ",
        bi("取消 " + t.cancelled, "cancelled")])
    ]),
    h("table", { cls: "bk-slots" }, [
      h("thead", {}, [h("tr", {}, [
        h("th", {}, [bi("时段", "Slot")]), h("th", { cls: "num" }, [bi("已约", "Booked")]),
        h("th", { cls: "num" }, [bi("待签到", "Awaiting")]), h("th", { cls: "num" }, [bi("已签到", "In")]), h("th", { cls: "num" }, [bi("未到", "No-show")]),
        h("th", { cls: "num" }, [bi("已取消", "Cancelled")]), h("th", {}, [bi("分钟 已约/可约", "Minutes used/total")])
      ])]),
      h("tbody", {}, q.slots.map(slotRow))
    ])
  ]);
}

function slotRow(s) {
  var used = s.minutes_total ? Math.min(1, s.minutes_booked / s.minutes_total) : 0;
  var any = s.booked + s.checked_in + s.no_show + s.cancelled;
  return h("tr", { cls: "bk-slot" + (any ? "" : " empty") + (used >= 1 ? " full" : ""), "data-start": s.start }, [
    h("td", { cls: "bk-time", text: hhmm(s.start) + "–" + hhmm(s.end) }),
    h("td", { cls: "num bk-booked", text: String(s.booked + s.checked_in) }),
    h("td", { cls: "num bk-awaiting", text: String(s.booked) }),
    h("td", { cls: "num bk-in", text: String(s.checked_in) }),
    h("td", { cls: "num bk-noshow" + (s.no_show ? " bad" : ""), text: String(s.no_show) }),
    h("td", { cls: "num bk-cancelled", text: String(s.cancelled) }),
    h("td", { cls: "bk-minutes" }, [
      h("span", { cls: "bk-bar" }, [fill(used)]),
      h("span", { cls: "bk-min-text", text: s.minutes_booked + "/" + s.minutes_total })
    ])
  ]);
}

// The bar's length through the CSSOM: the page's policy refuses style attributes.
function fill(share) {
  var node = h("span", { cls: "bk-fill" });
  node.style.width = Math.round(share * 100) + "%";
  return node;
}
