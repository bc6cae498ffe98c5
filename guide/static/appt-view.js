// A booking (预约) as the citizen sees it, on the booking page once booked and on its own page
// (/a/<code>): the code big, its QR (the kiosk scans it), the service, the time, the check-in
// window, the status, and the no-show rule. Chinese first, English beside it. Dates and times are
// the server's own, in the hall's zone, read from the ISO text (never this phone's clock or zone).

import { bi } from "/static/shared/bilingual.js";
import { h } from "/static/shared/dom.js";
import { hallBase } from "/static/shared/hall-base.js";

var WEEK = ["日", "一", "二", "三", "四", "五", "六"];
var WEEK_EN = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
var MONTH_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export var STATUS = {
  booked: ["已预约", "Booked"],
  checked_in: ["已签到", "Checked in"],
  cancelled: ["已取消", "Cancelled"],
  no_show: ["未到（爽约）", "Missed (no-show)"]
};

// The page's rules, from its script tag's data attributes (the hall file's [appointments]). A
// no_show_limit of 0 suspends nobody: the card then leaves the suspension sentence out.
export function rules() {
  var d = (document.getElementById("book-script") || { dataset: {} }).dataset;
  return {
    limit: d.noShowLimit === undefined ? 3 : Number(d.noShowLimit), days: Number(d.noShowDays || 30), suspend: Number(d.suspendDays || 30)
  };
}

// "2026-12-07T09:00:00+08:00" → its calendar day as written, whatever this phone's zone.
function ymd(iso) {
  var p = String(iso).slice(0, 10).split("-").map(Number);
  return { y: p[0], m: p[1], d: p[2], w: new Date(Date.UTC(p[0], p[1] - 1, p[2])).getUTCDay() };
}

export function hhmm(iso) { return iso ? String(iso).slice(11, 16) : ""; }

export function dayZh(iso) { var t = ymd(iso); return t.m + "月" + t.d + "日 周" + WEEK[t.w]; }

export function dayEn(iso) { var t = ymd(iso); return WEEK_EN[t.w] + " " + t.d + " " + MONTH_EN[t.m - 1]; }

// "12月7日 周一 09:00–09:30" with "Mon 7 Dec 09:00–09:30" beside it.
export function when(start, end) {
  var span = hhmm(start) + "–" + hhmm(end);
  return bi(dayZh(start) + " " + span, dayEn(start) + " " + span);
}

export function code4(code) {
  var c = String(code || "").replace(/[^0-9A-Za-z]/g, "").toUpperCase();
  return c.length === 10 ? c.slice(0, 5) + "-" + c.slice(5) : String(code || "");
}

function row(zh, en, value) {
  return [h("dt", {}, [bi(zh, en)]), h("dd", {}, [value])];
}

function ticketNumber(a) {
  var t = a.ticket;
  if (t && typeof t === "object") { return t.number || t.display || ""; }
  return a.ticket_number || "";
}

function statusLine(a) {
  var s = STATUS[a.status] || [a.status, a.status];
  var kids = [h("span", { cls: "badge st-" + a.status, id: "appt-status", "data-status": a.status }, [bi(s[0], s[1])])];
  var num = ticketNumber(a);
  if (a.status === "checked_in" && num) {
    kids.push(h("span", { cls: "ticket-no", id: "appt-ticket" }, [bi("您的号码 " + num, "your number " + num)]));
    if (a.ticket && a.ticket.id) {
      kids.push(h("a", { href: hallBase() + "/t/" + encodeURIComponent(a.ticket.id), id: "appt-ticket-link" },
        [bi("查看叫号进度", "Follow your number")]));
    }
  }
  return h("p", { cls: "status-line" }, kids);
}

function checkInText(a) {
  var from = hhmm(a.check_in_from), until = hhmm(a.check_in_until);
  if (a.status === "checked_in") {
    return bi("已在自助取号机签到，请留意叫号屏和语音叫号。", "Checked in: watch the display for your number.");
  }
  if (a.status === "cancelled") { return bi("预约已取消，如需办理请重新预约或到厅取号。", "Cancelled: book again or take a number at the hall."); }
  if (a.status === "no_show") { return bi("未在签到时间内签到，已记为未到。", "Not checked in on time: recorded as a no-show."); }
  return bi("请于 " + from + "–" + until + " 到自助取号机扫码签到",
    "Scan this code at a self-service kiosk between " + from + " and " + until);
}

// The confirmation card. `fresh`: just booked on this page (a heading says so).
export function card(a, fresh) {
  var r = rules();
  var live = a.status === "booked";
  var kids = [
    fresh ? h("p", { cls: "ok-head", id: "booked-ok" }, [bi("预约成功", "Booked")]) : null,
    statusLine(a),
    h("p", { cls: "code-label" }, [bi("预约码", "Booking code")]),
    h("p", { cls: "code" + (live ? "" : " dim"), id: "appt-code", text: code4(a.code) }),
    live || a.status === "checked_in" ? h("img", {
      cls: "qr", id: "appt-qr", src: hallBase() + "/a/" + encodeURIComponent(a.code) + "/qr.svg",
      alt: "预约二维码 Booking QR code", width: "220", height: "220"
    }) : null,
    h("p", { cls: "check-in" + (live ? " live" : ""), id: "appt-checkin" }, [checkInText(a)]),
    h("dl", { cls: "appt-fields" }, [].concat(
      row("办理事项", "Service", h("span", {}, [a.item_name || a.item, " ", h("span", { cls: "en", text: a.item_name_en || "" })])),
      row("预约时间", "Time", when(a.start, a.end)),
      row("签到时间", "Check-in", h("span", { text: hhmm(a.check_in_from) + "–" + hhmm(a.check_in_until) })),
      row("预约人", "Applicant", h("span", { text: applicant(a.applicant) }))
    )),
    h("p", { cls: "rule", id: "appt-rule" }, [r.limit > 0 ? bi(
      "请按时签到。" + r.days + " 天内累计 " + r.limit + " 次预约未到，将暂停预约 " + r.suspend + " 天；不能前往请提前取消。",
      r.limit + " missed appointments within " + r.days + " days suspend booking for " + r.suspend +
      " days: cancel ahead if you cannot come.") : bi("请按时签到；不能前往请提前取消。",
      "Please check in on time: cancel ahead if you cannot come.")]),
  ];
  return h("div", { cls: "appt-card st-" + a.status, id: "appt-card", "data-code": a.code }, kids);
}

function applicant(p) {
  if (!p) { return ""; }
  return [p.name, p.id_number, p.phone].filter(Boolean).join(" · ");
}
