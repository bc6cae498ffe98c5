// 差评整改 / Poor ratings: the follow-up of every rating of 1 or 2, for the department's chief
// (theirs) and the managers (all). Each card shows the rating (level, reasons, comment, item,
// window, staff member rated; never who rated), the step ahead with its deadline coloured by the
// hall's warning tier as cases are, a form for that step with its note, the chief's appeal, and
// for managers the decision on a pending appeal. The list is read from GET /followups and read
// again on every followup.* event of the `followups` room (connection.js) and after each action.
// The server decides what may be done; a refusal shows in the server's words.

import { api, describe } from "./api.js";
import { showBookings } from "./bookings.js";
import { session, view } from "./state.js";
import { bi } from "/static/shared/bilingual.js";
import { $, clear, h, show } from "/static/shared/dom.js";
import { newest } from "/static/shared/newest.js";

export var fu = { items: [], status: "open", loaded: false, timer: null, drafts: {}, open: 0, late: 0 };

var STEP_WORDS = {
  called_back: ["已回访", "Called back"], verified: ["已核实", "Verified"], rectified: ["已整改", "Rectified"],
  explained: ["已说明情况", "Explained"], answered: ["已反馈", "Answered"]
};
var TIER_WORDS = { yellow: ["黄色预警", "yellow"], orange: ["橙色预警", "orange"], red: ["红色预警（已超期）", "red: overdue"] };

// -- the view switch in the header ---------------------------------------------------------------

export function showView(name) {
  view.name = name;
  document.body.dataset.view = name;
  var signedIn = document.body.dataset.screen === "board";
  show($("screen-board"), signedIn && name === "board");
  show($("screen-followups"), signedIn && name === "followups");
  show($("screen-bookings"), signedIn && name === "bookings");
  showBookings(signedIn && name === "bookings");
  Array.prototype.forEach.call(document.querySelectorAll(".view-btn"), function (b) {
    b.classList.toggle("on", b.dataset.view === name);
    b.setAttribute("aria-pressed", b.dataset.view === name ? "true" : "false");
  });
  if (signedIn && name === "followups") { loadFollowups(); }
}

export function wireFollowups() {
  Array.prototype.forEach.call(document.querySelectorAll(".view-btn"), function (b) {
    b.addEventListener("click", function () { showView(b.dataset.view); });
  });
  $("fu-status").addEventListener("change", function (e) { fu.status = e.target.value; loadFollowups(); });
}

// -- reading ----------------------------------------------------------------------------------------

// The view is read on a click, a snapshot, every followup.* event and after each action, often
// several at once: only the newest read draws (CI: a manager's approved appeal came back when the
// view's first read, sent before the decision, was answered after it).
var reads = newest();

export function loadFollowups() {
  if (!session.token) { return Promise.resolve(); }
  var mine = reads.next();
  return api("GET", "/followups?status=" + encodeURIComponent(fu.status)).then(function (res) {
    if (!reads.is(mine)) { return; }
    fu.items = res.followups || [];
    fu.loaded = true;
    renderFollowups();
  }, function (err) {
    if (!reads.is(mine)) { return; }
    fu.items = [];
    renderFollowups(describe(err));
  });
}

// The `followups` room's snapshot: the open ones, as of the (re)connect.
export function onFollowupSnapshot(snap) {
  if (!snap) { return; }
  var open = snap.followups || [];
  fu.open = open.length;
  fu.late = open.filter(function (f) { return f.warning; }).length;
  if (fu.status === "open") { reads.next(); fu.items = open; fu.loaded = true; renderFollowups(); }
  else { loadFollowups(); }
}

export function onFollowupEvent() {
  clearTimeout(fu.timer);
  fu.timer = setTimeout(loadFollowups, 200);
}

// -- drawing ----------------------------------------------------------------------------------------

function words(pair) { return bi(pair[0], pair[1]); }

function tierOf(f) { return f.open ? (f.warning || "green") : "closed"; }

// The open ones on the header's button, red when one is at a warning tier: as of the last list
// of open ones (the snapshot's, or the view's while it shows them).
function renderCount() {
  if (fu.status === "open") {
    fu.open = fu.items.length;
    fu.late = fu.items.filter(function (f) { return f.warning; }).length;
  }
  $("fu-count").textContent = fu.open ? String(fu.open) : "";
  $("fu-count").classList.toggle("late", fu.late > 0);
}

export function renderFollowups(problem) {
  var box = clear($("fu-list"));
  renderCount();
  $("fu-total").textContent = fu.loaded ? String(fu.items.length) : "";
  if (problem) { box.appendChild(h("p", { cls: "form-msg", role: "alert", text: problem })); return; }
  if (!fu.items.length) {
    box.appendChild(h("p", { cls: "none" }, [bi("暂无差评整改", "No poor ratings to follow up")]));
    return;
  }
  fu.items.forEach(function (f) { box.appendChild(card(f)); });
}

function card(f) {
  var r = f.rating;
  var staff = r.staff ? r.staff.name + (r.staff.staff_no ? "（" + r.staff.staff_no + "）" : "") : "—";
  var win = r.window ? (r.window_name || r.window) : "—";
  return h("article", { cls: "fu tier-" + tierOf(f), "data-rating": String(f.rating_id), "data-status": f.status,
    "data-warning": f.warning || "" }, [
    h("header", { cls: "fu-head" }, [
      h("span", { cls: "fu-level lv" + r.level, text: r.level_name + " " + r.level }),
      h("span", { cls: "fu-en en", text: r.level_name_en }),
      h("span", { cls: "fu-dept", text: f.department_name }),
      h("span", { cls: "fu-status", "data-status": f.status }, [bi(f.status_label.zh, f.status_label.en)]),
      f.appeal ? h("span", { cls: "fu-appeal-badge appeal-" + f.appeal }, [appealWords(f.appeal)]) : null,
      h("span", { cls: "fu-at", text: (r.at || "").slice(0, 16).replace("T", " ") })
    ]),
    h("dl", { cls: "fu-facts" }, [
      h("dt", {}, [bi("事项", "Item")]), h("dd", { text: r.item_name || "—" }),
      h("dt", {}, [bi("窗口", "Window")]), h("dd", { text: win }),
      h("dt", {}, [bi("工作人员", "Staff")]), h("dd", { cls: "fu-staff", text: staff }),
      h("dt", {}, [bi("原因", "Reasons")]),
      h("dd", {}, r.tags.length ? r.tags.map(function (t) { return h("span", { cls: "chip" }, [bi(t.name, t.name_en)]); })
        : ["—"]),
      h("dt", {}, [bi("意见", "Comment")]), h("dd", { cls: "fu-comment", text: r.comment || "—" })
    ]),
    deadline(f),
    actions(f),
    history(f)
  ]);
}

function appealWords(a) {
  return { pending: bi("申诉待审核", "appeal pending"), approved: bi("申诉通过", "appeal approved"),
    rejected: bi("申诉未通过", "appeal rejected") }[a] || a;
}

function workingDays(n) { return n + (n === 1 ? " working day" : " working days"); }

function deadline(f) {
  if (!f.open) { return h("p", { cls: "fu-deadline done" }, [bi("已办结", "Closed")]); }
  var next = f.next_steps.length ? f.next_steps : nextOf(f.status);
  var what = next.map(function (s) { return STEP_WORDS[s][0]; }).join(" / ");
  var whatEn = next.map(function (s) { return STEP_WORDS[s][1].toLowerCase(); }).join(" or ");
  var left = f.days_left < 0 ? bi("已超期 " + (-f.days_left) + " 个工作日", "overdue by " + workingDays(-f.days_left))
    : f.days_left === 0 ? bi("今日到期", "due today") : bi("剩 " + f.days_left + " 个工作日", workingDays(f.days_left) + " left");
  var tier = TIER_WORDS[f.warning];
  return h("p", { cls: "fu-deadline" }, [
    h("span", {}, [bi("下一步：" + what, "next: " + whatEn)]), " ",
    h("span", { cls: "fu-due", "data-due": f.next_due }, [bi("截止 " + f.next_due, "due")]), " ",
    h("span", { cls: "fu-left" }, [left]),
    tier ? h("span", { cls: "fu-tier" }, [words(tier)]) : null
  ]);
}

function nextOf(status) {
  return { received: ["called_back"], called_back: ["verified"], verified: ["rectified", "explained"],
    rectified: ["answered"], explained: ["answered"] }[status] || [];
}

function isManager() { return session.user && session.user.role === "manager"; }
function isChief() { return session.user && session.user.role === "chief"; }

function actions(f) {
  if (!f.open) { return null; }
  var box = h("div", { cls: "fu-actions" });
  if (f.appeal === "pending") {
    box.appendChild(h("p", { cls: "hint" }, [bi("申诉理由：" + f.appeal_reason, "appeal: awaiting a manager")]));
    if (isManager()) { box.appendChild(decisionForm(f)); }
    return box;
  }
  if (isManager() || isChief()) { box.appendChild(stepForm(f)); }
  if (isChief() && !f.appeal) { box.appendChild(appealForm(f)); }
  return box.childNodes.length ? box : null;
}

function note(id, label, labelEn) {
  var area = h("textarea", { id: id, rows: "2", maxlength: "1000", required: true,
    oninput: function (e) { fu.drafts[id] = e.target.value; } });
  area.value = fu.drafts[id] || "";
  return h("label", { cls: "fu-note" }, [bi(label, labelEn), area]);
}

// The value of the submit button that was clicked, kept by its click handler: SubmitEvent's
// `submitter` is missing before Chromium 81 and Safari 15.4, and a form submitted with Enter
// clicks its first submit button, so the click always comes first.
function clicked(buttons, first) {
  var chosen = { value: first };
  buttons.forEach(function (b) { b.addEventListener("click", function () { chosen.value = b.value; }); });
  return chosen;
}

function stepForm(f) {
  var id = "fu-note-" + f.rating_id;
  var msg = h("p", { cls: "form-msg", role: "alert" });
  var buttons = f.next_steps.map(function (s) {
    return h("button", { type: "submit", cls: "primary small", value: s, "data-step": s }, [words(STEP_WORDS[s])]);
  });
  var chosen = clicked(buttons, f.next_steps[0]);
  var form = h("form", { cls: "fu-step", "data-rating": String(f.rating_id) },
    [note(id, "办理情况", "What was done"), h("div", { cls: "fu-buttons" }, buttons), msg]);
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var step = chosen.value;
    send(form, msg, "/followups/" + f.rating_id + "/steps", { step: step, note: $(id).value }, id);
  });
  return form;
}

function appealForm(f) {
  var id = "fu-appeal-" + f.rating_id;
  var msg = h("p", { cls: "form-msg", role: "alert" });
  var form = h("form", { cls: "fu-appeal-form" }, [note(id, "申诉理由（误评或恶意评价）", "Why the rating is mistaken or malicious"),
    h("button", { type: "submit", cls: "small" }, [bi("提交申诉", "Appeal")]), msg]);
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    send(form, msg, "/followups/" + f.rating_id + "/appeal", { reason: $(id).value }, id);
  });
  return h("details", { cls: "fu-appeal" }, [h("summary", {}, [bi("申诉", "Appeal")]), form]);
}

function decisionForm(f) {
  var id = "fu-decision-" + f.rating_id;
  var msg = h("p", { cls: "form-msg", role: "alert" });
  var buttons = [
    h("button", { type: "submit", cls: "primary small", value: "approve" }, [bi("通过（不计入统计）", "Approve: exclude")]),
    h("button", { type: "submit", cls: "small", value: "reject" }, [bi("驳回", "Reject")])];
  var chosen = clicked(buttons, "approve");
  var form = h("form", { cls: "fu-decision" }, [note(id, "审核意见", "Reason of the decision"),
    h("div", { cls: "fu-buttons" }, buttons), msg]);
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var approve = chosen.value === "approve";
    send(form, msg, "/followups/" + f.rating_id + "/appeal/decision", { approve: approve, reason: $(id).value }, id);
  });
  return form;
}

function send(form, msg, path, body, draft) {
  var buttons = form.querySelectorAll("button");
  Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
  msg.textContent = "";
  api("POST", path, body).then(function () {
    delete fu.drafts[draft];
    return loadFollowups();
  }, function (err) {
    msg.textContent = describe(err);
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
  });
}

function history(f) {
  var items = (f.history || []).map(function (x) {
    return h("li", {}, [h("span", { cls: "at", text: (x.at || "").slice(5, 16).replace("T", " ") }), " ",
      bi(x.status_label.zh, x.status_label.en), " ", h("span", { cls: "actor", text: x.actor }),
      x.note ? h("span", { cls: "fu-hnote", text: "：" + x.note }) : null]);
  });
  return h("details", { cls: "fu-history" }, [h("summary", {}, [bi("办理记录", "History"), " (" + items.length + ")"]),
    h("ol", {}, items)]);
}
