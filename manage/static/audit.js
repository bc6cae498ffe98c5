// 审计日志 Audit log (issue #12 point 5): who did what and when, from the event log. Filters by
// day, kind (the important ones first: allocation changes, full-identity reads, force-finishes,
// exclusions of ratings), actor and text; newest first, "older entries" pages on; the same filter
// exported as CSV or XLSX. Managers and administrators only: the server refuses the others.

import { api, boot, clearError, download, isoDay, showError, today } from "./report.js";
import { $, clear, h } from "/static/shared/dom.js";

var view = { next: null, shown: 0 };

function params() {
  var p = new URLSearchParams();
  [["from", "from"], ["to", "to"], ["action", "action"], ["actor", "actor"], ["q", "q"]].forEach(function (f) {
    var v = $(f[0]).value.trim();
    if (v) { p.set(f[1], v); }
  });
  return p;
}

function hhmmss(iso) { return iso ? iso.slice(0, 10) + " " + iso.slice(11, 19) : ""; }

function detailText(detail) {
  var keys = Object.keys(detail || {});
  return keys.map(function (k) {
    var v = detail[k];
    return k + ": " + (typeof v === "string" ? v : JSON.stringify(v));
  }).join("; ");
}

function row(e) {
  return h("tr", { "data-action": e.action, "data-seq": String(e.seq) }, [
    h("td", { cls: "nowrap", text: hhmmss(e.at) }),
    h("td", { cls: "nowrap" }, [e.actor.name, " ", h("span", { cls: "en", text: e.actor.kind })]),
    h("td", { cls: "nowrap" }, [e.label.zh, " ", h("span", { cls: "en", text: e.label.en })]),
    h("td", { text: e.subject }),
    h("td", { cls: "detail", text: detailText(e.detail) })
  ]);
}

function load(more) {
  clearError();
  var p = params();
  p.set("limit", "100");
  if (more && view.next) { p.set("before_seq", String(view.next)); }
  api("/audit/log?" + p.toString()).then(function (res) {
    var body = $("entries");
    if (!more) { clear(body); view.shown = 0; }
    res.entries.forEach(function (e) { body.appendChild(row(e)); });
    view.shown += res.entries.length;
    view.next = res.next_before_seq;
    $("more").hidden = !view.next;
    $("empty").hidden = view.shown > 0;
    document.body.dataset.loaded = "1";
  }).catch(showError);
}

function fillKinds(res) {
  var select = $("action");
  var important = h("optgroup", { label: "重点 Key kinds" }, res.important.map(function (a) {
    return h("option", { value: a.action, text: a.zh + " " + a.en });
  }));
  var all = h("optgroup", { label: "全部类型 Every kind" }, res.actions.map(function (a) {
    return h("option", { value: a.action, text: a.zh + " " + a.en + " (" + a.action + ")" });
  }));
  select.appendChild(important);
  select.appendChild(all);
}

function exportAs(fmt) {
  var p = params();
  p.set("format", fmt);
  download("/audit/log?" + p.toString(), "audit." + fmt);
}

function start() {
  var day = today(); // the hall's, not this PC's
  var weekAgo = new Date(day.getFullYear(), day.getMonth(), day.getDate() - 6);
  $("from").value = isoDay(weekAgo);
  $("to").value = isoDay(day);
  $("filters").addEventListener("submit", function (e) { e.preventDefault(); load(false); });
  $("action").addEventListener("change", function () { load(false); });
  $("more").addEventListener("click", function () { load(true); });
  $("dl-csv").addEventListener("click", function () { exportAs("csv"); });
  $("dl-xlsx").addEventListener("click", function () { exportAs("xlsx"); });
  api("/audit/actions").then(fillKinds).catch(showError).then(function () { load(false); });
}

window.HallqAudit = view;
boot($("page"), start);
