// Checking a booking in (预约签到, issue 15). "预约签到 / Appointment check-in" on the home screen
// opens a screen whose field takes what the hall's keyboard-wedge scanner types (the booking
// page's URL its QR code carries, then Enter) or the code typed on the on-screen keypad of the
// code's own alphabet. The server decides (POST /api/v1/appointments/{code}/check-in); this page
// only reads, asks and shows: the number on the result screen like any other (the kiosk's printer
// prints it in the same transaction), or why there is none, Chinese first and English beside.

import { state } from "./state.js";
import { showError, showResult } from "./ticket.js";
import { show } from "./view.js";
import { $, clear, each, h } from "/static/shared/dom.js";
import { bi } from "/static/shared/bilingual.js";
import { hallRoot } from "/static/shared/hall-base.js";

// Crockford base32: no I, L, O or U (the server reads I and L as 1, O as 0 when typed anyway).
var ROWS = ["1234567890", "ABCDEFGHJK", "MNPQRSTVWX", "YZ"];
var CODE_LENGTH = 10;
var REQUEST_TIMEOUT_MS = 10000;
var busy = false;

// Why a booking was not checked in, by the server's code: the title; the server's own message,
// in both languages, says the rest (from when, until when, which number).
var ANSWERS = {
  check_in_early: ["签到时间未到", "Too early to check in"],
  check_in_late: ["已超过签到时间", "Too late to check in"],
  check_in_other_day: ["不是今天的预约", "This booking is not for today"],
  not_booked: ["该预约无法签到", "This booking cannot be checked in"],
  unknown_appointment: ["未找到该预约", "No booking has this code"],
  not_issuing: ["暂时不能签到取号", "No number can be issued now"]
};

// What to send for what was typed or scanned: the part after "/a/" of a booking page's URL, else
// the text itself (the server reads case, dashes, spaces, I/L/O). null: a URL that is no booking's.
export function codeOf(text) {
  var s = String(text || "").trim();
  if (s.indexOf("/") < 0) { return s; }
  var m = /\/a\/([^\/?#]+)\/?(?:[?#].*)?$/i.exec(s);
  return m ? m[1] : null;
}

function symbols(text) { return String(text).toUpperCase().replace(/[^0-9A-Z]/g, ""); }

// ABCDEFGHJK → ABCDE-FGHJK, as the booking shows it.
function grouped(text) {
  var s = symbols(text).slice(0, CODE_LENGTH);
  return s.length > 5 ? s.slice(0, 5) + "-" + s.slice(5) : s;
}

function say(zh, en) {
  var box = $("checkin-message");
  box.hidden = !zh;
  clear(box);
  if (zh) { box.appendChild(bi(zh, en)); }
}

function field() { return $("checkin-code"); }

function press(key) {
  var v = field().value;
  if (v.indexOf("/") >= 0) { v = ""; }  // what a scan left half-typed gives way to the keypad
  if (key === "back") { v = symbols(v).slice(0, -1); }
  else if (key === "clear") { v = ""; }
  else if (symbols(v).length < CODE_LENGTH) { v = symbols(v) + key; }
  field().value = grouped(v);
  say(null);
  field().focus();
}

function keypad() {
  var box = clear($("checkin-keypad"));
  // The field keeps the focus while keys are pressed, so a scan right after still lands in it.
  var keep = function (ev) { ev.preventDefault(); };
  ROWS.forEach(function (row, n) {
    var keys = row.split("").map(function (c) {
      return h("button", { type: "button", cls: "btn key key-char", "data-key": c, text: c, onpointerdown: keep,
                           onmousedown: keep, onclick: function () { press(c); } });
    });
    if (n === ROWS.length - 1) {
      keys.push(h("button", { type: "button", cls: "btn key key-wide", id: "checkin-back", onpointerdown: keep,
                              onmousedown: keep, onclick: function () { press("back"); } }, [bi("⌫ 退格", "Delete")]));
      keys.push(h("button", { type: "button", cls: "btn key key-wide", onpointerdown: keep, onmousedown: keep,
                              onclick: function () { press("clear"); } }, [bi("清空", "Clear")]));
    }
    box.appendChild(h("div", { cls: "keypad-row" }, keys));
  });
}

function answer(error) {
  var title = ANSWERS[error.code];
  var zh = String(error.message_zh || "");
  zh = bodyOf(title[0], zh);
  var en = String(error.message || "");
  $("checkin-answer-title").textContent = title[0];
  $("checkin-answer-title-en").textContent = title[1];
  $("checkin-answer-body").textContent = zh;
  $("checkin-answer-body-en").textContent = sentence(en);
  $("checkin-ask").hidden = true;
  $("checkin-answer").hidden = false;
  show("checkin");
}

// The title once, the rest under it: "签到时间未到，请于 09:30 后签到" → "请于 09:30 后签到";
// "已超过签到时间（10:15 前），预约失效，请取普通号" → "应于 10:15 前签到，预约失效，请取普通号".
export function bodyOf(title, zh) {
  zh = String(zh || "");
  if (zh.indexOf(title) !== 0) { return zh; }
  var rest = zh.slice(title.length);
  var m = /^（([^）]*)）/.exec(rest);
  if (m) { return "应于 " + m[1] + "签到" + rest.slice(m[0].length); }
  return rest.replace(/^[，,。]\s*/, "");
}

// The server's English as a sentence: "check-in … 09:30" → "Check-in … 09:30."
function sentence(en) {
  en = String(en || "");
  return en ? en.charAt(0).toUpperCase() + en.slice(1) + (/[.!?]$/.test(en) ? "" : ".") : "";
}

function submit(ev) {
  if (ev) { ev.preventDefault(); }
  if (busy) { return; }
  var code = codeOf(field().value);
  if (code === null) {
    field().value = "";
    say("这不是预约二维码，请扫描预约凭证上的二维码。", "This is not a booking's QR code: scan the one on your booking.");
    return;
  }
  var n = symbols(code).length;
  if (!n) { say("请扫描预约二维码，或输入预约码。", "Scan your booking's QR code, or type its code."); return; }
  if (n !== CODE_LENGTH) { say("预约码为 10 位，请核对。", "A booking code has 10 characters: please check it."); return; }
  if (!state.online) { showError(0, null); return; }
  busy = true;
  show("busy");
  var ctrl = typeof AbortController === "function" ? new AbortController() : null;
  var timer = setTimeout(function () { if (ctrl) { ctrl.abort(); } }, REQUEST_TIMEOUT_MS);
  fetch(hallRoot() + "/api/v1/appointments/" + encodeURIComponent(code) + "/check-in", {
    method: "POST",
    cache: "no-store",
    headers: { "X-Device-Key": state.key },
    signal: ctrl ? ctrl.signal : undefined
  })
    .then(function (r) {
      return r.json().catch(function () { return null; }).then(function (data) { return { status: r.status, data: data }; });
    })
    .then(function (res) {
      var data = res.data || {};
      var tk = data.ticket, error = data.error;
      var numbered = tk && typeof tk.number === "string" && tk.number && typeof tk.id === "string";
      if (numbered && res.status === 201) {
        showResult(Object.assign({}, tk, { appointment: tk.appointment || data.appointment }));
      } else if (numbered && res.status === 409 && error && error.code === "check_in_late") {
        // Late: a normal number, and why it is not the booked one.
        showResult(Object.assign({}, tk, { checkin_late: [error.message_zh, sentence(error.message)] }));
      } else if (error && ANSWERS[error.code]) {
        answer(error);
      } else {
        showError(res.status, error, false);
      }
    })
    .catch(function () { showError(0, null); })
    .then(function () { clearTimeout(timer); busy = false; field().value = ""; });
}

// Back to an empty field: on opening the screen, after an answer, when the kiosk goes home.
export function resetCheckin() {
  field().value = "";
  say(null);
  // The last answer's words go too, so nothing (a reader, a test) takes them for the next one's.
  ["checkin-answer-title", "checkin-answer-title-en", "checkin-answer-body", "checkin-answer-body-en"].forEach(
    function (id) { $(id).textContent = ""; });
  $("checkin-answer").hidden = true;
  $("checkin-ask").hidden = false;
}

export function openCheckin() {
  resetCheckin();
  show("checkin");
  field().focus();
}

export function wireCheckin() {
  keypad();
  $("checkin-open").addEventListener("click", openCheckin);
  $("checkin-again").addEventListener("click", openCheckin);
  $("checkin-form").addEventListener("submit", submit);
  field().addEventListener("input", function () { say(null); });
  // A scan while something else has the focus (a button just tapped) still goes into the field,
  // and a scan over an answer (the next visitor, or the same one again) starts afresh.
  document.addEventListener("keydown", function (ev) {
    if (state.screen !== "checkin" || busy || document.activeElement === field()) { return; }
    if (!ev.key || ev.key.length !== 1 || ev.ctrlKey || ev.altKey || ev.metaKey) { return; }
    if ($("checkin-ask").hidden) { resetCheckin(); }
    field().focus();
  }, true);
  each("#checkin-keypad .key", function (k) { k.tabIndex = -1; });
  document.addEventListener("keydown", scanElsewhere, true);
}

// A scan made on the home, result or error screen (no field there takes it): the scanner types
// fast, so keys each within SCAN_GAP_MS of the last, then Enter, are a scan; one codeOf() reads as
// a booking's opens check-in and submits it. Slow typing (a person) starts the buffer afresh.
var SCAN_SCREENS = { home: true, result: true, error: true };
var SCAN_GAP_MS = 80;
var scan = { text: "", at: 0 };

function scanElsewhere(ev) {
  if (!SCAN_SCREENS[state.screen] || busy || ev.ctrlKey || ev.altKey || ev.metaKey) { scan.text = ""; return; }
  var focused = document.activeElement;
  if (focused && (focused.tagName === "INPUT" || focused.tagName === "TEXTAREA")) { scan.text = ""; return; }
  var now = Date.now();
  if (now - scan.at > SCAN_GAP_MS) { scan.text = ""; }
  scan.at = now;
  if (ev.key === "Enter") {
    var text = scan.text;
    scan.text = "";
    var code = codeOf(text);
    if (code === null || symbols(code).length !== CODE_LENGTH) { return; }
    ev.preventDefault();
    openCheckin();
    field().value = text;
    submit();
  } else if (ev.key && ev.key.length === 1) {
    scan.text += ev.key;
  }
}
