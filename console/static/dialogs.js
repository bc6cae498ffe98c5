// The dialogs: their shared keys (Ctrl+Enter, Enter moves on), submitting one, and the pause,
// call-a-number, transfer and suspend forms. The finish dialog is finish.js.

import { act, released, renderActions, setCurrent, winPath } from "./actions.js";
import { api, ApiError, describe } from "./api.js";
import { applyWindow } from "./connection.js";
import { normalise } from "./idcheck.js";
import { note } from "./notes.js";
import { renderAll } from "./render.js";
import { expire } from "./session.js";
import { desk, hall } from "./state.js";
import { checksOf, currentTicket, materialsOf } from "./ticket.js";
import { loadToday } from "./today.js";
import { $, clear, h } from "/static/shared/dom.js";

export function openDialog(id, focusId) {
  var d = $(id);
  d.querySelectorAll(".form-msg").forEach(function (m) { m.textContent = ""; });
  if (!d.open) { d.showModal(); }
  if (focusId) { setTimeout(function () { $(focusId).focus(); }, 0); }
  return d;
}

export function openDialogs() { return document.querySelector("dialog[open]"); }

export function formMsg(id, text) { $(id).textContent = text; }

export function submitting(form, fn) {
  var btn = form.querySelector("button[type=submit]");
  if (btn.disabled) { return; }
  btn.disabled = true;
  desk.busy = true;
  renderActions();
  Promise.resolve().then(fn).then(function () {
    form.closest("dialog").close();
  }, function (err) {
    if (err instanceof ApiError && err.status === 401) { form.closest("dialog").close(); expire(); return; }
    // The dialog stays open with what was typed, and says plainly what the server answered.
    formMsg(form.querySelector(".form-msg").id, err && err.local ? err.local : describe(err));
  }).then(function () {
    btn.disabled = false;
    desk.busy = false;
    renderAll();
  });
}

export function local(text) { return { local: text }; }

// pause ---------------------------------------------------------------------------------------

export function openPause() { openDialog("dlg-pause", null); $("pause-form").querySelector("input[name=reason]:checked").focus(); }

export function openNumber() { $("number-input").value = ""; openDialog("dlg-number", "number-input"); }

export function openTransfer() {
  var t = currentTicket();
  $("transfer-number").textContent = t.number;
  var sel = clear($("transfer-target"));
  var qg = h("optgroup", { label: "转到队列 To a queue" });
  var queueOptions = {};
  hall.catalog.queues.forEach(function (q) {
    queueOptions[q.code] = qg.appendChild(h("option", { value: "q:" + q.code,
                                                        text: q.code + " " + q.name + " · " + q.name_en }));
  });
  sel.appendChild(qg);
  var wg = h("optgroup", { label: "转到窗口 To a window" });
  var options = {};
  hall.catalog.windows.forEach(function (w) {
    if (w.id === desk.win) { return; }
    var codes = w.queues.map(function (sq) { return sq.queue; });
    // The visitor keeps their own queue at a window that serves it; at a window of several other
    // queues (a proxy window) the clerk says which one they join: the server will not guess.
    var picks = codes.indexOf(t.queue) >= 0 || codes.length === 1 ? [null] : codes;
    options[w.id] = picks.map(function (q) {
      var o = h("option", { value: "w:" + w.id + (q ? ":" + q : ""),
                            text: windowLabel(w, q ? q + " " + queueName(q) : codes.join("/")) });
      wg.appendChild(o);
      return o;
    });
  });
  sel.appendChild(wg);
  $("transfer-note").value = "";
  openDialog("dlg-transfer", "transfer-target");
  // Nobody would call a visitor sent to a window nobody holds (the server refuses it): say which.
  api("GET", "/hall").then(function (res) {
    // A queue no window is held for now can still be chosen (one may open), but not unawares.
    var served = {};
    (res.data.windows || []).forEach(function (st) {
      if (st.status === "closed") { return; }
      (st.queues || []).forEach(function (sq) { served[sq.queue] = true; });
    });
    Object.keys(queueOptions).forEach(function (code) {
      if (!served[code]) { queueOptions[code].textContent += " · 暂无窗口 No window open"; }
    });
    (res.data.windows || []).forEach(function (st) {
      if (st.status !== "closed") { return; }
      (options[st.id] || []).forEach(function (o) {
        o.disabled = true;
        o.textContent += " · 未签到 Closed";
      });
    });
  }).catch(function () { /* the list stays unmarked; the server still refuses a closed window */ });
}

function windowLabel(w, queues) {
  // The queue before the English name: a narrow select shows the start of the chosen option.
  return w.name + "（" + queues + "）" + (w.name_en ? " " + w.name_en : "") + (w.zone ? " · " + w.zone : "");
}

function queueName(code) {
  var q = hall.queueCat[code];
  return q ? q.name + " " + q.name_en : "";
}

export function openSuspend() {
  var t = currentTicket();
  $("suspend-number").textContent = t.number;
  var c = checksOf(t);
  var missing = materialsOf(t).filter(function (m) { return !c[m.code]; }).map(function (m) { return m.name; });
  $("suspend-note").value = missing.length ? "缺：" + missing.join("、") : "";
  openDialog("dlg-suspend", "suspend-note");
}

export function wireDialogs() {
  document.querySelectorAll("dialog").forEach(function (d) {
    d.addEventListener("click", function (e) {
      if (e.target.closest("[data-close]")) { d.close(); }
    });
    d.addEventListener("close", function () { setTimeout(function () { document.activeElement && document.activeElement.blur(); }, 0); });
    d.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        d.querySelector("form").requestSubmit();
        return;
      }
      // In forms with several fields, Enter moves on rather than finishing half-filled.
      if (e.key === "Enter" && d.dataset.enter !== "submit" && e.target.tagName === "INPUT" &&
          e.target.type !== "submit") {
        e.preventDefault();
        var fields = Array.prototype.filter.call(d.querySelectorAll("input:not([type=radio]):not([type=checkbox]), textarea, select, button[type=submit]"),
          function (el) { return el.offsetParent !== null && !el.disabled; });
        var i = fields.indexOf(e.target);
        if (i >= 0 && fields[i + 1]) { fields[i + 1].focus(); }
      }
    });
  });
  $("dlg-pause").dataset.enter = "submit";
  $("dlg-number").dataset.enter = "submit";

  $("pause-other").addEventListener("focus", function () {
    $("pause-form").querySelector("input[value=other]").checked = true;
  });

  $("dlg-pause").addEventListener("keydown", function (e) {
    if (e.target.id === "pause-other" || e.ctrlKey || e.altKey) { return; }
    var radios = $("pause-form").querySelectorAll("input[name=reason]");
    var n = Number(e.key);
    if (n >= 1 && n <= radios.length) {
      e.preventDefault();
      radios[n - 1].checked = true;
      (n === radios.length ? $("pause-other") : radios[n - 1]).focus();
    }
  });

  $("pause-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var chosen = e.target.querySelector("input[name=reason]:checked");
    var reason = chosen.value === "other" ? $("pause-other").value.trim() : chosen.value;
    submitting(e.target, function () {
      if (!reason) { throw local("请填写暂停原因。Please give a reason."); }
      return api("POST", winPath("pause"), { reason: reason }).then(function (res) { applyWindow(res.data.window); });
    });
  });

  $("btn-resume-big").addEventListener("click", function () { act("pause"); });

  // call a number -------------------------------------------------------------------------------

  $("number-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var number = normalise($("number-input").value);
    submitting(e.target, function () {
      if (!/^[A-Z]{1,3}\d{1,6}$/.test(number)) { throw local("请输入号码，如 A007。Type a number such as A007."); }
      return api("POST", winPath("call-number"), { number: number }).then(function (res) {
        desk.result = null;
        setCurrent(res.data.ticket);
      });
    });
  });

  // transfer ------------------------------------------------------------------------------------

  $("transfer-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var v = $("transfer-target").value;
    var body = { note: $("transfer-note").value.trim() };
    var parts = v.split(":");
    if (parts[0] === "q") { body.queue = parts[1]; } else { body.window = parts[1]; if (parts[2]) { body.queue = parts[2]; } }
    submitting(e.target, function () {
      return api("POST", winPath("transfer"), body).then(function (res) {
        var t = res.data.ticket;
        released(t);
        var w = hall.windowCat[body.window];
        var to = w ? w.name + (body.queue ? " " + body.queue : "") : "队列 " + body.queue;
        if (t.unserved) {
          note(t.number + " 已转到 " + to + "，但目前没有窗口办理该队列，已提醒大厅管理人员。" +
               "Transferred, but no window serves that queue now; the hall's managers are alerted.", "error");
        } else {
          note(t.number + " 已转到 " + to + "。Transferred.", "info");
        }
      });
    });
  });

  // suspend -------------------------------------------------------------------------------------

  $("suspend-form").addEventListener("submit", function (e) {
    e.preventDefault();
    submitting(e.target, function () {
      return api("POST", winPath("suspend"), { note: $("suspend-note").value.trim() }).then(function (res) {
        var t = res.data.ticket;
        released(t);
        loadToday();
        note(t.number + " 已挂起，回来后点“回来了”。Suspended: press Back when the visitor returns.", "info");
      });
    });
  });
}
