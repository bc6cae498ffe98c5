// The tools beside the floor, one tab each: allocation of a window (which queues, with weights,
// and why), undo and the audit history, staffing (staffing.js), proposals, today's tickets
// (tickets.js). Each reads its route when shown and after a change; a route this server does not
// have shows "not available" in its tab.

import { api, describe, missing, optional, unavailable } from "./api.js";
import { floor, hall, queueVisible, scope } from "./state.js";
import { renderProposals, renderStaffing } from "./staffing.js";
import { renderTickets } from "./tickets.js";
import { bi, hhmm } from "/static/shared/bilingual.js";
import { $, clear, each, h } from "/static/shared/dom.js";
import { newest } from "/static/shared/newest.js";

// `done`: the answer to the manager's last allocation action, kept across the redraws the
// change's own events cause, until another window is chosen.
export var tools = { tab: "alloc", window: null, done: null };

var RENDER = {
  alloc: function () { renderAlloc(); },
  history: function () { renderHistory(); },
  staffing: function () { renderStaffing($("tab-staffing")); },
  proposals: function () { renderProposals($("tab-proposals")); },
  tickets: function () { renderTickets($("tab-tickets")); }
};

export function showTab(name) {
  tools.tab = name;
  each(".tab", function (b) { b.classList.toggle("on", b.dataset.tab === name); b.setAttribute("aria-selected", b.dataset.tab === name); });
  each(".tab-body", function (p) { p.hidden = p.dataset.panel !== name; });
  RENDER[name]();
}

export function refreshTools() { showTab(tools.tab); }

export function wireTools() {
  each(".tab", function (b) { b.addEventListener("click", function () { showTab(b.dataset.tab); }); });
}

export function onToolEvent(name, data) {
  if (name === "allocation.changed") {
    if (tools.tab === "history" || (tools.tab === "alloc" && tools.window)) { refreshTools(); }
  } else if (name === "proposal.updated" && data.proposals) {
    floor.proposals = data.proposals;
    $("proposals-count").textContent = data.proposals.length ? String(data.proposals.length) : "";
    if (tools.tab === "proposals") { refreshTools(); }
  }
}

export function selectWindow(id) {
  if (id !== tools.window) { tools.done = null; }
  tools.window = id;
  each(".win", function (c) { c.classList.toggle("selected", c.dataset.window === id); });
  showTab("alloc");
}

function msg(box, text, ok) { box.appendChild(h("p", { cls: "form-msg tool-msg" + (ok ? " ok" : ""), role: "alert", text: text })); }

// -- allocation ----------------------------------------------------------------------------

function renderAlloc() {
  var box = clear($("tab-alloc"));
  var undo = h("button", { type: "button", cls: "small", id: "btn-undo", onclick: function () { doUndo(false); } }, [bi("撤销上一次调配", "Undo last change")]);
  if (scope()) { undo.hidden = true; }
  box.appendChild(h("div", { cls: "tool-head" }, [h("span", { cls: "hint" },
    [bi("点击左侧窗口进行调配", "Click a window on the floor to change its queues")]), undo]));
  if (tools.done) { msg(box, tools.done, true); }
  if (!tools.window) { return; }
  var id = tools.window, w = floor.windows[id] || hall.windowCat[id] || { id: id };
  var form = h("form", { cls: "alloc", id: "alloc-form" });
  box.appendChild(form);
  form.appendChild(h("h3", {}, [(w.name || id) + " ", h("span", { cls: "en", text: w.name_en || "" })]));
  optional("window_queues", "/windows/" + encodeURIComponent(id) + "/queues").then(function (res) {
    if (!res) { unavailable(form); return; }
    var served = {};
    res.queues.forEach(function (q) { served[q.queue] = q.weight; });
    var grid = h("div", { cls: "alloc-grid" });
    // A chief changes the department's queues only; another department's queue a proxy window
    // serves stays as it is (shown, not editable) and is sent back unchanged.
    hall.catalog.queues.filter(function (q) { return queueVisible(q.code) || served[q.code]; }).forEach(function (q) {
      var locked = !queueVisible(q.code);
      grid.appendChild(h("label", { cls: "alloc-q" + (served[q.code] ? " on" : "") + (locked ? " locked" : ""), "data-queue": q.code }, [
        h("input", { type: "checkbox", name: "q", value: q.code, checked: !!served[q.code], disabled: locked }),
        h("b", { text: q.code }), " " + q.name + " ",
        h("input", { type: "number", name: "w-" + q.code, min: "1", max: "100", value: String(served[q.code] || 1),
          title: "权重 weight", cls: "weight", disabled: locked })]));
    });
    form.appendChild(grid);
    form.appendChild(h("label", { cls: "reason" }, [bi("原因", "Reason"),
      h("input", { id: "alloc-reason", maxlength: "200", required: true, placeholder: "如：B队列积压 e.g. queue B backlog" })]));
    form.appendChild(h("label", { cls: "force" }, [h("input", { type: "checkbox", id: "alloc-force" }),
      bi("即使有队列因此无窗口服务也执行（第26条预警）", "Apply even if a queue is left with no window (raises the article 26 alert)")]));
    form.appendChild(h("button", { type: "submit", cls: "primary" }, [bi("保存调配", "Save allocation")]));
    form.addEventListener("submit", function (e) { e.preventDefault(); saveAlloc(form, id); });
  }, function (err) { msg(form, describe(err)); });
}

function saveAlloc(form, id) {
  var queues = [];
  Array.prototype.forEach.call(form.querySelectorAll("input[name=q]:checked"), function (c) {
    queues.push({ queue: c.value, weight: Number(form.querySelector("input[name='w-" + c.value + "']").value) || 1 });
  });
  var body = { queues: queues, reason: $("alloc-reason").value.trim(), force: $("alloc-force").checked };
  Array.prototype.forEach.call(form.querySelectorAll(".form-msg"), function (n) { n.remove(); });
  api("PUT", "/windows/" + encodeURIComponent(id) + "/queues", body).then(function (res) {
    var c = res.change || {};
    tools.done = "已调配：" + target(c) + " " + side(c.before) + " → " + side(c.after) + " / Saved";
    renderAlloc();
  }, function (err) {
    msg(form, missing(err) ? "功能未启用 / not available" : describe(err));
  });
}

// Undo steps back the latest change. When that would leave a queue with visitors and no window
// (article 26) the server says so; the manager may then confirm and undo anyway.
function doUndo(force) {
  var box = $("tab-alloc");
  Array.prototype.forEach.call(box.querySelectorAll(".undo-confirm, .tool-msg"), function (n) { n.remove(); });
  api("POST", "/allocation/undo", force ? { force: true } : {}).then(function (res) {
    var c = res.change || {};
    tools.done = "已撤销：" + target(c) + " " + side(c.before) + " → " + side(c.after) + " / Undone";
    refreshTools();
  }, function (err) {
    if (err.code === "queue_left_unserved" && !force) {
      box.appendChild(h("div", { cls: "undo-confirm", role: "alert" }, [h("p", { cls: "form-msg", text: describe(err) }),
        h("button", { type: "button", cls: "small danger", id: "btn-undo-force", onclick: function () { doUndo(true); } },
          [bi("仍然撤销（第26条预警）", "Undo anyway (article 26 alert)")])]));
      return;
    }
    msg(box, missing(err) ? "功能未启用 / not available" : describe(err));
  });
}

// -- history -------------------------------------------------------------------------------

function describeQueues(list) {
  return (list || []).map(function (q) { return typeof q === "string" ? q : q.queue + (q.weight > 1 ? "×" + q.weight : ""); }).join(" ") || "—";
}

// A CHANGE's before and after are by kind: the window's queues, the item's queue, a reserve window open or not.
function side(x) {
  if (x === null || x === undefined) { return "—"; }
  if (Array.isArray(x)) { return describeQueues(x); }
  if (x === true) { return "开放 open"; }
  if (x === false) { return "关闭 closed"; }
  if (typeof x === "object") { return x.queues ? describeQueues(x.queues) : (x.queue || JSON.stringify(x)); }
  return String(x);
}

function target(c) {
  if (c.kind === "item_queue" || (!c.window && c.item)) { return "事项 " + c.item; }
  var w = hall.windowCat[c.window];
  var name = w ? w.name : "窗口 " + c.window;
  return c.kind === "reserve" ? "备用 " + name : name;
}

var ROLE = { manager: "大厅主任", admin: "管理员", chief: "首席代表", window: "窗口", rule: "规则" };

function actor(c) {
  var a = c.actor || {};
  var name = String(a.name || "");
  if (name.indexOf("rule:") === 0) { return "规则 rule " + name.slice(5); }
  return (ROLE[a.role] ? ROLE[a.role] + " " : "") + name;
}

// Read on the tab's click and on every allocation.changed: only the newest read draws (two at
// once both filled the box).
var historyReads = newest();

function renderHistory() {
  var box = clear($("tab-history"));
  var mine = historyReads.next();
  // The hall's own midnight, with its offset (the server refuses a time without one).
  var now = floor.nowIso || new Date().toISOString();
  var day = now.slice(0, 10) + "T00:00:00" + (now.length > 19 ? now.slice(19) : "Z");
  optional("audit", "/audit?since=" + encodeURIComponent(day)).then(function (res) {
    if (!historyReads.is(mine)) { return; }
    if (!res) { unavailable(box); return; }
    var list = h("ol", { cls: "history", reversed: true });
    (res.changes || []).slice().reverse().forEach(function (c) {
      list.appendChild(h("li", { cls: "change" + (c.forced ? " forced" : "") + (c.undoes ? " undo" : ""),
        "data-change": String(c.id), "data-window": c.window || null, "data-undoes": c.undoes ? String(c.undoes) : null }, [
        h("span", { cls: "at", text: hhmm(c.at) }), " ",
        h("b", { cls: "c-what", text: target(c) }), "：",
        h("span", { cls: "c-change", text: side(c.before) + " → " + side(c.after) }),
        h("div", { cls: "why" }, [
          c.undoes ? h("span", { cls: "badge", text: "撤销 undo #" + c.undoes }) : null,
          c.forced ? h("span", { cls: "badge bad", text: "强制 forced" + (c.stranded && c.stranded.length ? " " + c.stranded.join(" ") : "") }) : null,
          h("span", { cls: "c-reason", text: c.reason || "" }),
          h("span", { cls: "c-who", text: " — " + actor(c) })])
      ]));
    });
    if (!list.firstChild) { list.appendChild(h("li", { cls: "none" }, [bi("今日无调配", "No changes today")])); }
    box.appendChild(list);
  }, function (err) { if (historyReads.is(mine)) { msg(box, describe(err)); } });
}
