// The window's actions: which are possible now, the buttons' state, and running one at a time.

import { api } from "./api.js";
import { applyWindow, mine } from "./connection.js";
import { openNumber, openPause, openSuspend, openTransfer } from "./dialogs.js";
import { openFinish } from "./finish.js";
import { ACTS } from "./labels.js";
import { clearNote, note, showError } from "./notes.js";
import { renderAll } from "./render.js";
import { desk } from "./state.js";
import { currentTicket } from "./ticket.js";
import { loadToday } from "./today.js";
import { clear, h } from "/static/shared/dom.js";

function can(name) {
  if (!desk.wstate || !mine()) { return false; }
  var st = desk.wstate.status, t = currentTicket(), ts = t ? t.status : null;
  switch (name) {
    case "next": case "number": return st === "open" && !t;
    case "recall": case "start": case "noshow": return ts === "called";
    case "finish": case "transfer": case "suspend": return ts === "called" || ts === "serving";
    // A visitor still at the window (or walking to it) is served first: the hall screen sends
    // them here, and a paused window would be empty when they arrive.
    case "pause": return st === "paused" || (st === "open" && !t);
    default: return false;
  }
}

export function renderActions() {
  Object.keys(ACTS).forEach(function (name) {
    var btn = document.querySelector('[data-act="' + name + '"]');
    if (btn) { btn.disabled = desk.busy || !can(name); }
  });
  var paused = desk.wstate && desk.wstate.status === "paused";
  var p = document.querySelector('[data-act="pause"]');
  clear(p);
  p.appendChild(document.createTextNode(paused ? "恢复 " : "暂停 "));
  p.appendChild(h("span", { cls: "en", text: paused ? "Resume" : "Pause" }));
  p.appendChild(h("kbd", { text: "P" }));
  p.classList.toggle("go", !!paused);
}

export function act(name) {
  if (desk.busy) { note("正在处理上一个操作，请稍候。Still working on the previous action.", "info"); return; }
  if (!can(name)) {
    var a = ACTS[name];
    var why = reasonNot(name);
    note("现在不能" + a.zh + (why ? "：" + why[0] : "") + "。" + a.en + " is not possible now" +
         (why ? ": " + why[1] : "") + ".", "info");
    return;
  }
  clearNote();
  if (name === "next") { return run(callNext); }
  if (name === "recall") { return run(function () { return ticketAction("recall"); }); }
  if (name === "start") { return run(function () { return ticketAction("start"); }); }
  if (name === "noshow") { return run(function () { return ticketAction("no-show"); }); }
  if (name === "pause") {
    if (desk.wstate.status === "paused") { return run(resumeWindow); }
    return openPause();
  }
  if (name === "finish") { return openFinish(); }
  if (name === "transfer") { return openTransfer(); }
  if (name === "suspend") { return openSuspend(); }
  if (name === "number") { return openNumber(); }
}

function reasonNot(name) {
  var st = desk.wstate ? desk.wstate.status : "";
  var t = currentTicket();
  if (st === "paused" && (name === "next" || name === "number")) { return ["窗口暂停中", "the window is paused"]; }
  if (t && (name === "next" || name === "number" || name === "pause")) {
    return [t.number + " 号尚未办结", t.number + " is still at the window"];
  }
  if (!t && name !== "pause") { return ["当前无号码", "no ticket at the window"]; }
  if (t && t.status === "serving" && (name === "recall" || name === "noshow" || name === "start")) {
    return [t.number + " 号正在办理", t.number + " is being served"];
  }
  return null;
}

function run(fn) {
  desk.busy = true;
  renderActions();
  return Promise.resolve().then(fn).catch(showError).then(function () {
    desk.busy = false;
    renderActions();
  });
}

export function winPath(action) { return "/windows/" + encodeURIComponent(desk.win) + "/" + action; }

export function setCurrent(t) {
  desk.ticket = t;
  desk.wstate.current = { id: t.id, number: t.number, status: t.status, queue: t.queue };
}

function callNext() {
  return api("POST", winPath("call-next")).then(function (res) {
    if (res.status === 204) {
      note("暂无等候的群众。Nobody is waiting for this window.", "info");
      return;
    }
    desk.result = null;
    setCurrent(res.data.ticket);
    renderAll();
  });
}

function ticketAction(action) {
  return api("POST", winPath(action)).then(function (res) {
    var t = res.data.ticket;
    if (t.status === "called" || t.status === "serving") { setCurrent(t); }
    else { released(t); }
    if (action === "no-show") { loadToday(); note(t.number + " 已记为未到。Marked as not come.", "info"); }
    if (action === "recall") { note(t.number + " 已重呼。Called again.", "info"); }
    renderAll();
    return res;
  });
}

export function released(t) {
  if (desk.wstate && desk.wstate.current && desk.wstate.current.id === t.id) { desk.wstate.current = null; }
  desk.ticket = null;
}

function resumeWindow() {
  return api("POST", winPath("resume")).then(function (res) { applyWindow(res.data.window); });
}

export function resumeTicket(s) {
  if (desk.busy) { return; }
  run(function () {
    return api("POST", winPath("resume-ticket"), { number: s.number }).then(function () {
      note(s.number + " 已回到队首，下次叫号即叫到。Back first in line: the next call calls it.", "info");
      return loadToday();
    }, function (err) {
      // Gone from the server's side (finished elsewhere, cancelled at midnight): the list says so.
      loadToday();
      throw err;
    });
  });
}
