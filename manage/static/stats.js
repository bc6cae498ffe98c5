// 统计 Statistics (issue #12 point 4): a range of days (today, this week, this month or chosen),
// rows by department, item, queue, window or member of staff, four charts and the table, and the
// same table as CSV or XLSX from GET /api/v1/stats?format=. A chief sees the department: the
// server answers so.

import { api, boot, clearError, download, minutes, percent, dash, range, showError, today } from "./report.js";
import { drawCharts, resizeCharts } from "./statscharts.js";
import { bi } from "/static/shared/bilingual.js";
import { $, clear, each, h } from "/static/shared/dom.js";

var view = { range: "today", answer: null };

var BY_ZH = { department: ["部门", "Department"], item: ["事项", "Item"], queue: ["队列", "Queue"],
  window: ["窗口", "Window"], staff: ["工作人员", "Staff"] };

var COLUMNS = [
  ["issued", "取号", "Issued", dash], ["served", "办结", "Served", dash], ["no_show", "过号", "No-shows", dash],
  ["transferred", "转移", "Transfers", dash], ["suspended", "挂起", "Suspended", dash],
  ["forced", "强制办结", "Forced", dash],
  ["wait_mean_s", "平均等候(分)", "Wait mean, min", minutes], ["wait_p90_s", "等候P90(分)", "Wait P90", minutes],
  ["service_mean_s", "平均办理(分)", "Service mean", minutes], ["service_p90_s", "办理P90(分)", "Service P90", minutes],
  ["paused_total", "暂停(分)", "Paused, min", minutes], ["idle_s", "空闲(分)", "Idle, min", minutes],
  ["cases_total", "办件", "Cases", dash], ["on_time_rate", "按时办结率", "On time", percent],
  ["rated", "评价数", "Ratings", dash], ["satisfaction_rate", "满意率", "Satisfied", percent]
];

function query() {
  return "?from=" + encodeURIComponent($("from").value) + "&to=" + encodeURIComponent($("to").value) +
    "&by=" + encodeURIComponent($("by").value);
}

function pickRange(name) {
  view.range = name;
  each("#ranges button", function (b) { b.classList.toggle("on", b.dataset.range === name); });
  if (name !== "custom") {
    var r = range(name, today());
    $("from").value = r[0];
    $("to").value = r[1];
    load();
  }
}

function derived(row) {
  var paused = row.paused_s ? Object.keys(row.paused_s).reduce(function (s, k) { return s + row.paused_s[k]; }, 0) : null;
  var cases = row.cases ? Object.keys(row.cases).reduce(function (s, k) { return s + row.cases[k]; }, 0) : null;
  return Object.assign({}, row, { paused_total: paused, cases_total: cases });
}

function renderTable(answer) {
  var by = BY_ZH[answer.by] || [answer.by, answer.by];
  var table = clear($("stats-table"));
  table.appendChild(h("thead", {}, [h("tr", {}, [h("th", {}, [bi(by[0], by[1])])].concat(COLUMNS.map(function (c) {
    return h("th", { cls: "num" }, [bi(c[1], c[2])]);
  })))]));
  var body = h("tbody", {});
  (answer.rows || []).map(derived).forEach(function (r) {
    body.appendChild(h("tr", { "data-key": r.key || "" }, [h("td", { text: r.label || r.key || "未记录" })].concat(
      COLUMNS.map(function (c) { return h("td", { cls: "num", text: c[3](r[c[0]]) }); }))));
  });
  if (answer.totals) {
    var t = derived(answer.totals);
    body.appendChild(h("tr", { cls: "total" }, [h("td", {}, [bi("合计", "Total")])].concat(
      COLUMNS.map(function (c) { return h("td", { cls: "num", text: c[3](t[c[0]]) }); }))));
  }
  table.appendChild(body);
  $("range-text").textContent = answer.from + " – " + answer.to;
}

function load() {
  clearError();
  if (!$("from").value || !$("to").value) { showError("请选择起止日期 / Choose the first and last day"); return; }
  api("/stats" + query()).then(function (answer) {
    view.answer = answer;
    document.body.dataset.loaded = "1";
    renderTable(answer);
    drawCharts(answer);
  }).catch(showError);
}

function start(user) {
  if (user.role === "chief") {
    $("scope").hidden = false;
    clear($("scope")).appendChild(bi("仅本部门 " + (user.department || ""), "department only"));
  }
  each("#ranges button", function (b) { b.addEventListener("click", function () { pickRange(b.dataset.range); }); });
  ["from", "to"].forEach(function (id) { $(id).addEventListener("change", function () { pickRange("custom"); }); });
  $("by").addEventListener("change", load);
  $("go").addEventListener("click", load);
  $("dl-csv").addEventListener("click", function () { download("/stats" + query() + "&format=csv", "stats.csv"); });
  $("dl-xlsx").addEventListener("click", function () { download("/stats" + query() + "&format=xlsx", "stats.xlsx"); });
  window.addEventListener("resize", resizeCharts);
  pickRange("today");
}

window.HallqStats = view;
boot($("page"), start);
