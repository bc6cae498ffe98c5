// The kiosk's progress query (article 21): "办件进度查询 / Track a case" on the home screen opens a
// screen with an on-screen keypad for the case number and the last four characters of the
// applicant's ID number or phone; the answer is the same masked view as the slip's QR page.
// The server decides and counts failures; this only types, asks and shows. Nothing found stays
// on screen once the visitor leaves (resetProgress, called by kiosk.js's goHome).

import { state } from "./state.js";
import { show } from "./view.js";
import { $, clear, each, h } from "/static/shared/dom.js";
import { bi } from "/static/shared/bilingual.js";
import { failure, lookup, progressSections } from "/static/shared/progress-view.js";

var ROWS = ["1234567890", "QWERTYUIOP", "ASDFGHJKL-", "ZXCVBNM"];
var MAX = { number: 24, last4: 4 };
var typed = { number: "", last4: "" };
var field = "number";
var busy = false;

function allowed(key) {
  // The last four are digits, the ID number's last may be X: other keys do nothing there.
  return field === "number" || /[0-9X]/.test(key);
}

function render() {
  each(".progress-field", function (b) {
    var f = b.dataset.field;
    b.setAttribute("aria-pressed", String(f === field));
    var value = b.querySelector(".progress-value");
    value.textContent = typed[f] || value.dataset.placeholder;
    value.classList.toggle("empty", !typed[f]);
  });
  each("#progress-keypad .key-char", function (k) { k.disabled = !allowed(k.dataset.key); });
  $("progress-submit").disabled = busy;
}

function say(words) {
  var box = $("progress-message");
  box.hidden = !words;
  clear(box);
  if (words) { box.appendChild(bi(words.zh, words.en)); }
}

function press(key) {
  if (key === "back") { typed[field] = typed[field].slice(0, -1); }
  else if (key === "clear") { typed[field] = ""; }
  else if (allowed(key) && typed[field].length < MAX[field]) {
    typed[field] += key;
  }
  say(null);
  render();
}

function keypad() {
  var box = clear($("progress-keypad"));
  ROWS.forEach(function (row) {
    box.appendChild(h("div", { cls: "keypad-row" }, row.split("").map(function (c) {
      return h("button", { type: "button", cls: "btn key key-char", "data-key": c, text: c,
                           onclick: function () { press(c); } });
    })));
  });
  box.appendChild(h("div", { cls: "keypad-row" }, [
    h("button", { type: "button", cls: "btn key key-wide", onclick: function () { press("back"); } },
      [bi("⌫ 退格", "Delete")]),
    h("button", { type: "button", cls: "btn key key-wide", onclick: function () { press("clear"); } },
      [bi("清空", "Clear")])
  ]));
}

function showResult(answer) {
  var box = clear($("progress-result"));
  progressSections(answer.data.case, null).forEach(function (n) { box.appendChild(n); });
  box.appendChild(h("p", { cls: "hint" }, [bi("在手机上查看：扫描受理单上的二维码，或在家访问本中心网站的“办件进度查询”。",
    "On your phone: scan the QR code on your slip, or use Track a case on the hall's website.")]));
  box.appendChild(h("div", { cls: "progress-actions" }, [
    h("button", { type: "button", cls: "btn", id: "progress-again", onclick: function () { resetProgress(); } },
      [bi("查询其他办件", "Another case")]),
    h("button", { type: "button", cls: "btn btn-primary", id: "progress-done",
                  onclick: function () { resetProgress(); show("home"); } }, [bi("完成", "Done")])
  ]));
  $("progress-ask").hidden = true;
  box.hidden = false;
}

function submit() {
  if (busy) { return; }
  if (!typed.number) { field = "number"; render(); say({ zh: "请输入办件编号。", en: "Type the case number." }); return; }
  if (!typed.last4) { field = "last4"; render(); say({ zh: "请输入后四位。", en: "Type the last four characters." }); return; }
  busy = true;
  render();
  lookup(typed.number, typed.last4, state.key).then(function (answer) {
    busy = false;
    render();
    if (answer.status === 200 && answer.data) { showResult(answer); return; }
    var why = failure(answer);
    if (why.field) { field = why.field; render(); }
    say(why);
  });
}

// Back to an empty form: after a result, on leaving the screen, when the kiosk goes idle.
export function resetProgress() {
  typed = { number: "", last4: "" };
  field = "number";
  busy = false;
  clear($("progress-result"));
  $("progress-result").hidden = true;
  $("progress-ask").hidden = false;
  say(null);
  render();
}

export function wireProgress() {
  keypad();
  each(".progress-field", function (b) {
    b.addEventListener("click", function () { field = b.dataset.field; render(); });
  });
  $("progress-submit").addEventListener("click", submit);
  $("progress-open").addEventListener("click", function () { resetProgress(); show("progress"); });
  resetProgress();
}
