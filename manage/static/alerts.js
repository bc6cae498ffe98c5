// Alerts (预警), from every source the server has, one list by level: article 26's unserved
// queues and visitors and the holiday-calendar gap (GET /alerts), cases near their time limit
// (GET /cases/warnings, article 16), printers out of paper or offline (printer.updated), and,
// where the server has the manager's board, every kind it raises (alert.raised / alert.cleared).
// An alert is known by its kind and what it is about, so two sources never show it twice.

import { api } from "./api.js";
import { showError } from "./notes.js";
import { floor, queueVisible, scope } from "./state.js";
import { bi, hhmm } from "/static/shared/bilingual.js";
import { $, clear, h } from "/static/shared/dom.js";
import { newest } from "/static/shared/newest.js";

var LEVELS = { critical: 0, warn: 1, info: 2 };
var sources = { core: {}, cases: {}, board: {}, live: {} };

export function keyOf(a) {
  // Not the ticket's number: the board's ticket_unserved carries it, /alerts' does not.
  return [a.kind, a.queue || "", a.window || "", a.ticket || "", a.case || "", a.printer || ""].join(":");
}

function put(source, a) { a.key = keyOf(a); sources[source][a.key] = a; }

function drop(a) { var k = keyOf(a); Object.keys(sources).forEach(function (s) { delete sources[s][k]; }); }

function queueAlert(a) {
  return { kind: "queue_unserved", level: "critical", queue: a.queue, at: a.at,
    message: "队列 " + (a.name || a.queue) + "（" + a.queue + "）有 " + a.waiting + " 人等候，没有窗口服务",
    message_en: "Queue " + (a.name_en || a.queue) + ": " + a.waiting + " waiting and no window serving it" };
}

function ticketAlert(a) {
  return { kind: "ticket_unserved", level: "critical", queue: a.queue, window: a.window, ticket: a.ticket,
    message: a.number + " 号在等候无人值守的 " + (a.window_name || a.window),
    message_en: a.number + " waits for window " + (a.window_name_en || a.window) + ", which nobody holds" };
}

function caseAlert(c) {
  var over = c.days_left !== undefined && c.days_left < 0;
  return { kind: "case_deadline", level: over || c.warning === "overdue" ? "critical" : "warn", case: c.number,
    department: c.department,
    message: "办件 " + c.number + " " + (c.item_name || "") + (over ? " 已超期" : " 剩余 " + c.days_left + " 个工作日"),
    message_en: "Case " + c.number + (over ? " is overdue" : ": " + c.days_left + (c.days_left === 1 ? " working day" : " working days") + " left") };
}

// Read on each snapshot: only the newest read of each source draws.
var coreReads = newest(), caseReads = newest();

// Read the core sources again (each snapshot), or take the board route's own list.
export function loadAlerts(boardAlerts) {
  if (boardAlerts) {
    // The board's list is the server's whole view as of its read: events before it are in it.
    // It holds every kind /alerts and /cases/warnings give, so theirs go.
    sources.board = {}; sources.live = {}; sources.core = {}; sources.cases = {};
    boardAlerts.forEach(function (a) { put("board", Object.assign({}, a)); });
    renderAlerts();
    return;
  }
  if (floor.routes.board) { return; }
  var mine = coreReads.next();
  api("GET", "/alerts").then(function (res) {
    if (floor.routes.board || !coreReads.is(mine)) { return; }   // the board's list came first and holds these
    sources.core = {}; sources.live = {};
    (res.unserved_queues || []).forEach(function (a) { put("core", queueAlert(a)); });
    (res.unserved_tickets || []).forEach(function (a) { put("core", ticketAlert(a)); });
    if (res.calendar) {
      put("core", { kind: "calendar_gap", level: "warn", message: res.calendar.message,
        message_en: "Holiday table lacks years " + (res.calendar.years || []).join(", ") });
    }
    renderAlerts();
  }, showError);
  var mineCases = caseReads.next();
  api("GET", "/cases/warnings").then(function (res) {
    if (floor.routes.board || !caseReads.is(mineCases)) { return; }
    sources.cases = {};
    (res.cases || []).forEach(function (c) { put("cases", caseAlert(c)); });
    renderAlerts();
  }, function () { /* a chief without cases, or none: nothing to warn of */ });
}

export function onAlertEvent(name, data) {
  var a = data.alert;
  if (name === "alert.queue_unserved") { put("live", queueAlert(a)); }
  else if (name === "alert.ticket_unserved") { put("live", ticketAlert(a)); }
  else if (name === "alert.queue_served") { drop({ kind: "queue_unserved", queue: a.queue }); }
  else if (name === "alert.ticket_served") { drop(ticketAlert(a)); }
  else if (name === "alert.raised" && a) { put("live", Object.assign({}, a)); }
  else if (name === "alert.cleared" && a) { drop(a); }
  else if (name === "case.warning" && data.case) { put("live", caseAlert(data.case)); }
  else if (name === "printer.updated" && data.printer) {
    var p = data.printer;
    var alert = { kind: "printer", printer: p.url, level: p.status === "paper_near_end" ? "warn" : "critical",
      message: "打印机 " + (p.devices || []).join("、") + " " + ({ offline: "离线", paper_out: "缺纸", paper_near_end: "纸将用完" }[p.status] || p.status),
      message_en: "Printer of " + (p.devices || []).join(", ") + ": " + p.status };
    if (p.status === "online" || p.status === "unknown") { drop(alert); } else { put("live", alert); }
  }
  renderAlerts();
}

function visible(a) {
  var dept = scope();
  if (!dept) { return true; }
  if (a.queue) { return queueVisible(a.queue); }
  if (a.department) { return a.department === dept; }
  return a.kind === "calendar_gap";
}

export function renderAlerts() {
  var merged = {};
  ["core", "cases", "live", "board"].forEach(function (s) { Object.assign(merged, sources[s]); });
  var list = Object.keys(merged).map(function (k) { return merged[k]; }).filter(visible);
  list.sort(function (x, y) { return (LEVELS[x.level] || 3) - (LEVELS[y.level] || 3); });
  floor.alerts = merged;
  var box = clear($("alerts"));
  $("alerts-count").textContent = list.length ? String(list.length) : "";
  if (!list.length) { box.appendChild(h("li", { cls: "none" }, [bi("暂无预警", "No alerts")])); return; }
  list.forEach(function (a) {
    box.appendChild(h("li", { cls: "alert lv-" + (a.level || "info"), "data-kind": a.kind, "data-queue": a.queue || null,
      "data-window": a.window || null }, [
      h("span", { cls: "lv", text: { critical: "紧急", warn: "注意", info: "提示" }[a.level] || "提示" }),
      h("span", { cls: "msg" }, [a.message || a.kind, " ", h("span", { cls: "en", text: a.message_en || "" })]),
      a.at ? h("span", { cls: "at", text: hhmm(a.at) }) : null
    ]));
  });
}
