// 月度考核 Monthly evaluation (article 27; issue #12 point 4): every window's or staff member's
// score for a month from GET /api/v1/evaluation, with each term's rate and points, the rank, the
// formula and how missing data counts, printable on A4 (reports.css @media print) with the hall
// manager's signature lines, and the same table as XLSX. /manage/evaluation?month=YYYY-MM&by=staff
// opens a given month; the default is last month, the one an evaluation is made of.

import { api, boot, clearError, download, isoMonth, showError, today } from "./report.js";
import { bi } from "/static/shared/bilingual.js";
import { $, clear, h } from "/static/shared/dom.js";
import { hallBase } from "/static/shared/hall-base.js";

var view = { answer: null };

var TERMS = [["satisfaction", "满意率", "Satisfaction"], ["on_time", "按时办结率", "On time"],
  ["no_show", "过号率", "No-show"], ["pause", "暂停占比", "Pause share"]];

function pct(rate) { return rate === null || rate === undefined ? "无数据 no data" : (rate * 100).toFixed(1) + "%"; }

function pts(p) { return p === null || p === undefined ? "—" : p.toFixed(2); }

function counts(r, key) {
  if (key === "satisfaction") { return r.satisfied + "/" + r.rated; }
  if (key === "on_time") { return r.cases_on_time + "/" + r.cases_known; }
  if (key === "no_show") { return r.no_show + "/" + (r.served + r.no_show); }
  return Math.round(r.paused_s / 60) + "/" + Math.round(r.signed_in_s / 60) + " 分钟 min";
}

function render(answer) {
  view.answer = answer;
  $("r-month").textContent = answer.month.replace("-", "年") + "月";
  $("r-title").textContent = answer.by === "staff" ? "工作人员月度考核报告" : "窗口月度考核报告";
  clear($("r-scope")).appendChild(bi(answer.from + " 至 " + answer.to + (answer.department ? " · 部门 " + answer.department : ""),
    answer.by === "staff" ? "by staff member" : "by window"));
  var table = clear($("eval-table"));
  var head = [h("th", { cls: "num" }, [bi("名次", "Rank")]),
    h("th", {}, [answer.by === "staff" ? bi("工作人员", "Staff") : bi("窗口", "Window")]),
    h("th", { cls: "num" }, [bi("得分", "Score")])];
  TERMS.forEach(function (t) { head.push(h("th", { cls: "num" }, [bi(t[1], t[2])])); });
  head.push(h("th", { cls: "num" }, [bi("办理", "Served")]));
  table.appendChild(h("thead", {}, [h("tr", {}, head)]));
  var body = h("tbody", {});
  answer.rows.forEach(function (r) {
    var cells = [h("td", { cls: "num", text: r.rank === null ? "—" : String(r.rank) }), h("td", { text: r.name }),
      h("td", { cls: "num score", text: r.score === null ? "不评分 not scored" : r.score.toFixed(2) })];
    TERMS.forEach(function (t) {
      cells.push(h("td", { cls: "num" }, [pct(r.rates[t[0]]), h("br", {}),
        h("span", { cls: "en", text: counts(r, t[0]) + " · " + pts(r.points[t[0]]) + "分 pts" })]));
    });
    cells.push(h("td", { cls: "num", text: String(r.served) }));
    body.appendChild(h("tr", { "data-key": r.key }, cells));
  });
  table.appendChild(body);
  if (!answer.rows.length) {
    body.appendChild(h("tr", {}, [h("td", { colspan: "8" }, [bi("本月没有记录。", "No records this month.")])]));
  }
  $("formula-zh").textContent = answer.formula.zh;
  $("formula-en").textContent = answer.formula.en;
  $("definitions").textContent = answer.definitions.zh;
  $("missing").textContent = answer.missing.zh;
  $("missing-en").textContent = answer.missing.en;
  document.title = answer.month + " 月度考核 Monthly evaluation";
  document.body.dataset.loaded = "1";
}

function query() {
  return "?month=" + encodeURIComponent($("month").value) + "&by=" + encodeURIComponent($("by").value);
}

function load() {
  clearError();
  history.replaceState(null, "", hallBase() + "/manage/evaluation" + query());
  api("/evaluation" + query()).then(render).catch(showError);
}

function start() {
  var p = new URLSearchParams(location.search);
  var now = today(); // the hall's day: last month is the hall's
  $("month").value = p.get("month") || isoMonth(new Date(now.getFullYear(), now.getMonth() - 1, 1));
  $("by").value = p.get("by") === "staff" ? "staff" : "window";
  $("go").addEventListener("click", load);
  $("by").addEventListener("change", load);
  $("print").addEventListener("click", function () { window.print(); });
  $("dl-xlsx").addEventListener("click", function () { download("/evaluation" + query() + "&format=xlsx", "evaluation.xlsx"); });
  load();
}

window.HallqEvaluation = view;
boot($("page"), start);
