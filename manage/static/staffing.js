// Staffing (测算): how many windows each queue needs, by Erlang C, with the method said on the
// page; a one-click apply that goes through the allocation route and its audit; a what-if
// ("move window 12 from queue B to queue F") showing both queues' expected waits before and
// after; and the overflow rules' proposals (跨窗通办) with their own one-click apply.

import { api, describe, optional, unavailable } from "./api.js";
import { floor, hall, queueVisible, windowVisible } from "./state.js";
import { bi } from "/static/shared/bilingual.js";
import { $, clear, h } from "/static/shared/dom.js";
import { newest } from "/static/shared/newest.js";

// Each tab clears its box and fills it from its read's answer. Read twice at once (a tab clicked
// twice, an action's redraw beside its event's) the two answers both filled it: only the newest
// read draws.
var staffingReads = newest(), proposalReads = newest();

// A wait in minutes; null is the server's "grows without end" (arrivals at or past what the windows serve).
function mins(s) { return s === null ? "∞" : s === undefined ? "—" : (s / 60).toFixed(1) + "′"; }

// Windows count proxies by their share: 1.5, not 1.5000001.
function wins(n) { return n === null || n === undefined ? "—" : String(Math.round(n * 10) / 10); }

function short(r) { return (r.windows_needed || 0) > (r.windows_now || 0) ? 1 : 0; }

function qlist(list) { return (list || []).map(function (q) { return q.queue + (q.weight > 1 ? "×" + q.weight : ""); }).join(" ") || "—"; }

function pct(x) { return x === null || x === undefined ? "—" : Math.round(x * 100) + "%"; }

function note(box, text, ok) { box.appendChild(h("p", { cls: "form-msg" + (ok ? " ok" : ""), role: "alert", text: text })); }

function queuesOf(w) { return (w.queues || []).map(function (q) { return typeof q === "string" ? { queue: q, weight: 1 } : q; }); }

// An open window not serving `code`, taken from a queue with windows to spare (same department first).
function candidate(code, recs) {
  var spare = {};
  recs.forEach(function (r) { spare[r.queue] = (r.windows_now || 0) - (r.windows_needed || 0); });
  var dept = (hall.queueCat[code] || {}).department;
  var found = Object.keys(floor.windows).map(function (id) { return floor.windows[id]; }).filter(function (w) {
    var qs = queuesOf(w);
    return w.status === "open" && windowVisible(Object.assign({}, hall.windowCat[w.id], w))
      && !qs.some(function (q) { return q.queue === code; })
      && qs.every(function (q) { return (spare[q.queue] || 0) >= 1; });
  });
  found.sort(function (a, b) { return (b.department === dept) - (a.department === dept); });
  return found[0] || null;
}

function apply(box, w, code, why) {
  var queues = queuesOf(w).concat([{ queue: code, weight: 1 }]);
  api("PUT", "/windows/" + encodeURIComponent(w.id) + "/queues", { queues: queues, reason: why }).then(function (res) {
    renderStaffing(box, (w.name || w.id) + " 现办理 " + queues.map(function (q) { return q.queue; }).join(" ") +
      "，已记入调配记录 / " + (w.name_en || "window " + w.id) + " now serves " + (res.queues || queues).map(function (q) { return q.queue; }).join(" "));
  }, function (err) { note(box, describe(err)); });
}

export function renderStaffing(box, done) {
  clear(box);
  if (done) { note(box, done, true); }
  box.appendChild(h("p", { cls: "method" }, [bi(
    "方法：Erlang C 排队模型。按今日到达率（结合同一工作日历史）和平均办理时长，求使目标比例群众在目标时间内被叫到所需的最少窗口数；假设到达服从泊松分布、无人离队。",
    "Method: Erlang C. From today's arrival rate (blended with the same weekday's history) and the mean service time, the fewest windows so that the target share of visitors is called within the target wait; assumes Poisson arrivals and no abandonment.")]));
  var mine = staffingReads.next();
  optional("recommendations", "/recommendations").then(function (res) {
    if (!staffingReads.is(mine)) { return; }
    if (!res) { unavailable(box); return; }
    if (res.target) {
      box.appendChild(h("p", { cls: "target" }, [bi("目标：" + pct(res.target.share) + " 的群众在 " + Math.round(res.target.wait_s / 60) +
        " 分钟内被叫到" + (res.history_days && res.history_days.length ? "（含 " + res.history_days.length + " 个同工作日历史）" : "（仅今日数据）"),
        "target: " + pct(res.target.share) + " called within " + Math.round(res.target.wait_s / 60) + " min")]));
    }
    var recs = (res.queues || []).filter(function (r) { return queueVisible(r.queue); });
    var body = h("tbody"), quiet = [];
    // Short queues first; queues nobody comes to and nobody serves fold into one line.
    recs.sort(function (x, y) { return short(y) - short(x); });
    recs.forEach(function (r) {
      if (!r.arrivals_per_hour && !r.windows_now && !r.windows_needed) { quiet.push(r.queue); return; }
      var noLoad = !r.arrivals_per_hour && !r.waiting;  // a line before opening has figures of its own
      body.appendChild(h("tr", { cls: short(r) ? "short" : "", "data-queue": r.queue }, [
        h("td", { cls: "rec-q", title: (hall.queueCat[r.queue] || {}).name || "", text: r.queue }),
        h("td", { cls: "num", text: String(Math.round((r.arrivals_per_hour || 0) * 10) / 10) }),
        h("td", { cls: "num", text: mins(r.service_s) }),
        h("td", { cls: "num rec-windows", text: wins(r.windows_now) + " → " + wins(r.windows_needed) }),
        h("td", { cls: "num" }, [h("span", { cls: "rec-wait", text: noLoad ? "—" : mins(r.expected_wait_s_now) + " → " + mins(r.expected_wait_s_needed) }),
          noLoad ? null : h("span", { cls: "rec-level", text: pct(r.service_level_now) + " → " + pct(r.service_level_needed) })])
      ]));
      var w = short(r) ? candidate(r.queue, recs) : null;
      if (!short(r)) { return; }
      var why = "按测算：" + r.queue + " 需 " + r.windows_needed + " 个窗口，现 " + wins(r.windows_now) +
        " / recommended: queue " + r.queue + " needs " + r.windows_needed + " windows";
      body.appendChild(h("tr", { cls: "short apply-row", "data-apply-for": r.queue }, [h("td", { colspan: "5" }, w ? [
        bi("建议 " + w.name + " 加办 " + r.queue, "let window " + (w.number || w.id) + " also serve " + r.queue), " ",
        h("button", { type: "button", cls: "small primary", "data-apply": r.queue, onclick: function () { apply(box, w, r.queue, why); } },
          [bi("采纳", "Apply")])] : [bi("没有可调的空闲窗口，请开放窗口或在调配中调整", "no open window to spare: open one, or move one in Allocate")])]));
    });
    if (quiet.length) {
      body.appendChild(h("tr", { cls: "quiet" }, [h("td", { colspan: "5" }, [bi("无人到达、无窗口：" + quiet.join(" "), "no arrivals, no window")])]));
    }
    box.appendChild(h("table", { cls: "recs" }, [h("thead", {}, [h("tr", {}, [
      h("th", { text: "队列" }), h("th", { cls: "num", text: "到达/时" }), h("th", { cls: "num", text: "办理" }),
      h("th", { cls: "num", text: "窗口 现→需" }), h("th", { cls: "num", text: "预计等候 · 达标率" })]), h("tr", { cls: "en-head" }, [
      h("th", { text: "Queue" }), h("th", { cls: "num", text: "per hour" }), h("th", { cls: "num", text: "service" }),
      h("th", { cls: "num", text: "windows now→need" }), h("th", { cls: "num", text: "wait · within target" })])]), body]));
    box.appendChild(whatIf());
  }, function (err) { if (staffingReads.is(mine)) { note(box, describe(err)); } });
}

function select(id, options) {
  return h("select", { id: id }, options.map(function (o) { return h("option", { value: o[0], text: o[1] }); }));
}

function whatIf() {
  var windows = Object.keys(floor.windows).map(function (id) { return floor.windows[id]; })
    .filter(function (w) { return windowVisible(Object.assign({}, hall.windowCat[w.id], w)); });
  var queues = hall.catalog.queues.filter(function (q) { return queueVisible(q.code); });
  var qopts = queues.map(function (q) { return [q.code, q.code + " " + q.name]; });
  var out = h("div", { id: "whatif-out" });
  var form = h("form", { cls: "whatif" }, [h("h3", {}, [bi("假如调整", "What if")]),
    select("wi-window", windows.map(function (w) { return [w.id, w.name]; })),
    bi("从", "from"), select("wi-from", qopts), bi("到", "to"), select("wi-to", qopts),
    h("button", { type: "submit", cls: "small" }, [bi("测算", "Show")]), out]);
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var body = { window: $("wi-window").value, from: $("wi-from").value, to: $("wi-to").value };
    api("POST", "/recommendations/what-if", body).then(function (res) {
      var b = function (q) { return q.before || {}; }, a = function (q) { return q.after || {}; };
      clear(out).appendChild(h("table", { cls: "recs whatif-table" }, [h("thead", {}, [h("tr", {}, [
        h("th", { text: "队列 Q" }), h("th", { cls: "num", text: "窗口 windows" }), h("th", { cls: "num", text: "预计等候 wait" }),
        h("th", { cls: "num", text: "达标 level" })])]), h("tbody", {}, (res.queues || []).map(function (q) {
        return h("tr", { "data-queue": q.queue }, [h("td", { text: q.queue }),
          h("td", { cls: "num", text: wins(b(q).windows) + " → " + wins(a(q).windows) }),
          h("td", { cls: "num", text: mins(b(q).expected_wait_s) + " → " + mins(a(q).expected_wait_s) }),
          h("td", { cls: "num", text: pct(b(q).service_level) + " → " + pct(a(q).service_level) })]);
      }))]));
      if (res.window_open === false) { note(out, "该窗口现未开放，测算按开放计 / the window is not open now; counted as open"); }
    }, function (err) { clear(out); note(out, describe(err)); });
  });
  return form;
}

export function renderProposals(box) {
  clear(box);
  var mine = proposalReads.next();
  optional("proposals", "/manage/proposals").then(function (res) {
    if (!proposalReads.is(mine)) { return; }
    if (!res) { unavailable(box); return; }
    floor.proposals = res.proposals || [];
    $("proposals-count").textContent = floor.proposals.length ? String(floor.proposals.length) : "";
    var list = h("ul", { cls: "proposals" });
    floor.proposals.filter(function (p) { return queueVisible(p.queue); }).forEach(function (p) {
      list.appendChild(h("li", { cls: "proposal" }, [
        h("div", {}, [p.why || "", " ", h("span", { cls: "en", text: p.why_en || "" })]),
        h("div", { cls: "p-what", text: ((hall.windowCat[p.window] || {}).name || "窗口 " + p.window) + "：" +
          (p.before && p.after ? qlist(p.before) + " → " + qlist(p.after) : "+ " + p.queue + (p.weight > 1 ? "×" + p.weight : "")) +
          (p.automatic ? "（自动 automatic）" : "") }),
        h("button", { type: "button", cls: "small primary", onclick: function () {
          api("POST", "/manage/proposals/apply", { rule: p.rule, window: p.window, queue: p.queue })
            .then(function () { renderProposals(box); }, function (err) { note(box, describe(err)); });
        } }, [bi("采纳", "Apply")])]));
    });
    if (!list.firstChild) { list.appendChild(h("li", { cls: "none" }, [bi("暂无建议", "No proposals")])); }
    box.appendChild(list);
  }, function (err) { if (proposalReads.is(mine)) { note(box, describe(err)); } });
}
