// Drawing the console: the window's header, its queues, the ticket card with its materials and
// guide, the result of the last finish. Every function draws from the state, never keeps its own.

import { renderActions } from "./actions.js";
import { windowQueues } from "./connection.js";
import { renderMissing } from "./finish.js";
import { OUTCOMES, STATUS, WSTATUS } from "./labels.js";
import { desk, hall, session } from "./state.js";
import { checksOf, currentTicket, itemOf, materialsOf, renderItemChoice, setCheck } from "./ticket.js";
import { renderSuspended, renderTally } from "./today.js";
import { bi, hhmm, stopwatch } from "/static/shared/bilingual.js";
import { $, clear, h, show } from "/static/shared/dom.js";
import { showPaper } from "/static/paper.js";
import { loadNotice, renderNotice } from "./returning.js";

// -- rendering ---------------------------------------------------------------------------------

export function renderAll() {
  if (document.body.dataset.screen !== "console") { return; }
  renderHeader();
  renderQueues();
  renderTicket();
  renderResult();
  renderSuspended();
  renderTally();
  renderActions();
}

function renderHeader() {
  var st = desk.wstate ? desk.wstate.status : "connecting";
  var label = WSTATUS[st] || ["连接中", "Connecting"];
  var badge = clear($("win-status"));
  badge.className = "badge w-" + st;
  badge.appendChild(bi(label[0], label[1]));
  var paused = st === "paused";
  show($("paused"), paused);
  if (paused) {
    clear($("paused-reason")).appendChild(h("span", {}, [
      "原因 Reason：", h("strong", { text: desk.wstate.pause_reason || "" }),
      desk.wstate.since ? "　自 since " + hhmm(desk.wstate.since) : ""
    ]));
  }
  document.body.dataset.window = st;
}

// 预约: an appointment ticket, with its booked slot (ticket views' `appointment`).
function appointmentFlag(booking) {
  var slot = booking && booking.start ? " " + hhmm(booking.start) + (booking.end ? "–" + hhmm(booking.end) : "") : "";
  return h("span", { cls: "flag appt", title: booking && booking.code ? "预约码 booking " + booking.code : "" },
           [bi("预约" + slot, "Appointment")]);
}

// The next numbers of a queue's line, an appointment marked with its slot's start (queue views'
// `appointments`: number -> slot start).
function nextNumbers(q) {
  var booked = q.appointments || {};
  return q.order.slice(0, 4).map(function (n) {
    return booked[n] ? h("b", { cls: "appt", title: "预约 appointment " + hhmm(booked[n]) },
                         [n, h("span", { cls: "appt-mark", text: "预约" + hhmm(booked[n]) })])
      : h("b", { text: n });
  });
}

export function renderQueues() {
  var ul = clear($("queues"));
  windowQueues().forEach(function (code) {
    var q = desk.queues[code], cat = hall.queueCat[code] || {};
    var waiting = q ? q.waiting : null;
    var next = q && q.order && q.order.length ? nextNumbers(q) : null;
    ul.appendChild(h("li", { cls: "queue" + (waiting ? " has" : ""), "data-queue": code }, [
      h("span", { cls: "q-code", text: code }),
      h("span", { cls: "q-name" }, [cat.name || code, h("span", { cls: "en", text: cat.name_en || "" })]),
      h("span", { cls: "q-count", "data-count": waiting === null ? "" : String(waiting),
                  text: waiting === null ? "…" : String(waiting) }),
      h("span", { cls: "q-more" }, [
        q && q.waiting ? "最久 " + Math.round(q.longest_wait_s / 60) + " 分钟 longest" : "无人等候 nobody waiting",
        next ? h("span", { cls: "q-next" }, ["下一位 next: "].concat(next)) : null
      ])
    ]));
  });
}

export function renderTicket() {
  var t = currentTicket();
  show($("idle"), !t && !desk.result);
  show($("ticket"), !!t);
  if (!t) { return; }
  $("t-number").textContent = t.number;
  var st = STATUS[t.status] || [t.status, t.status];
  var badge = clear($("t-status"));
  badge.className = "badge t-" + t.status;
  badge.appendChild(bi(st[0], st[1]));
  var flags = clear($("t-flags"));
  if (t.priority === "green") {
    flags.appendChild(h("span", { cls: "flag green" }, [bi("绿色通道", "Green channel" + (t.green_reason ? ": " + t.green_reason : ""))]));
  }
  if (t.priority === "appointment") { flags.appendChild(appointmentFlag(t.appointment)); }
  if (t.recalls) { flags.appendChild(h("span", { cls: "flag", text: "重呼 " + t.recalls + " 次 recalled" })); }
  var item = itemOf(t);
  clear($("t-item")).appendChild(item
    ? h("span", {}, [h("span", { cls: "item-code", text: item.code }), item.name,
                     item.code !== t.item ? h("span", { cls: "flag changed", text: "已更换 changed" }) : null,
                     h("span", { cls: "en", text: item.name_en })])
    : h("span", { cls: "no-item" }, [bi("按队列取号，请选择办理事项", "Number taken for a queue: choose the item")]));
  renderItemChoice(t);
  var meta = clear($("t-meta"));
  if (t.issued_at) {
    var waited = minutesBetween(t.issued_at, t.called_at);
    meta.appendChild(h("span", {}, ["取号 issued " + hhmm(t.issued_at)]));
    if (waited !== null) { meta.appendChild(h("span", {}, ["等候 waited " + waited + " 分钟 min"])); }
    meta.appendChild(h("span", {}, ["队列 queue " + t.queue + " " + (t.queue_name || "")]));
  }
  show($("t-note"), !!t.note);
  $("t-note").textContent = t.note ? "备注 Note：" + t.note : "";
  renderNotice(t);
  loadNotice(t, renderAll);
  renderMaterials($("materials"), t, false);
  renderGuide(item);
  tick();
}

export function renderMaterials(ul, t, compact) {
  clear(ul);
  var mats = materialsOf(t);
  var c = checksOf(t);
  if (!mats.length) {
    ul.appendChild(h("li", { cls: "empty" }, [bi("该事项无材料清单", "No materials listed for this item")]));
  }
  mats.forEach(function (m, i) {
    var box = h("input", {
      type: "checkbox", "data-code": m.code, checked: c[m.code] ? true : null,
      onchange: function (e) { setCheck(t, m.code, e.target.checked); renderChecks(); }
    });
    ul.appendChild(h("li", { cls: c[m.code] ? "got" : "" }, [h("label", {}, [
      box,
      h("span", { cls: "m-no", text: String(i + 1) + "." }),
      h("span", { cls: "m-name" }, [m.name, compact ? null : h("span", { cls: "en", text: m.name_en })]),
      h("span", { cls: "m-copies", text: m.copies || "" }),
      m.note && !compact ? h("span", { cls: "m-note", text: m.note }) : null
    ])]));
  });
  var got = mats.filter(function (m) { return c[m.code]; }).length;
  if (!compact) {
    $("materials-sum").textContent = mats.length ? "已收 " + got + "/" + mats.length + " received" : "";
    $("btn-all").disabled = $("btn-none").disabled = !mats.length;
  }
}

export function renderChecks() {
  var t = currentTicket();
  if (!t) { return; }
  renderMaterials($("materials"), t, false);
  if ($("dlg-finish").open) { renderMaterials($("f-materials-list"), t, true); renderMissing(); }
}

// A document's English name is a title ("Acceptance slip"); inside a sentence it reads in lower case.
function inSentence(name) { return name.charAt(0).toLowerCase() + name.slice(1); }

function renderGuide(item) {
  var g = clear($("guide"));
  if (!item) { return; }
  var gd = item.guide;
  var n = gd.time_limit_days;
  var limit = n === 0 ? "即办 on the spot" : n + " 个工作日 " + n + (n === 1 ? " working day" : " working days");
  g.appendChild(h("h3", {}, [bi("办事指南", "Service guide")]));
  var dl = h("dl", {});
  [["受理条件", "Conditions", gd.conditions], ["收费", "Fee", gd.fee], ["承诺时限", "Time limit", limit],
   ["办理流程", "Process", gd.process], ["常见问题", "Common mistakes", gd.common_mistakes],
   ["法律依据", "Legal basis", gd.legal_basis], ["咨询电话", "Contact", gd.contact]].forEach(function (row) {
    if (!row[2] && row[2] !== 0) { return; }
    dl.appendChild(h("dt", {}, [bi(row[0], row[1])]));
    dl.appendChild(h("dd", { text: String(row[2]) }));
  });
  g.appendChild(dl);
}

function tick() {
  var t = currentTicket();
  if (!t || !t.called_at) { $("t-clock").textContent = ""; return; }
  var since = (Date.now() - Date.parse(t.called_at)) / 1000;
  $("t-clock").textContent = (t.status === "serving" ? "叫号后 since call " : "已叫 called ") + stopwatch(since);
}

function renderResult() {
  var box = clear($("result"));
  var r = desk.result;
  show(box, !!r);
  if (!r) { return; }
  var o = OUTCOMES[r.outcome] || OUTCOMES.done;
  box.className = "result r-" + r.outcome + (r.warn ? " warn" : "");
  box.appendChild(h("div", { cls: "r-head" }, [
    h("span", { cls: "r-number", text: r.number }),
    h("span", { cls: "r-outcome" }, [bi("已办结·" + o.zh, "Finished: " + o.en)]),
    h("span", { cls: "spacer" }),
    h("button", { type: "button", cls: "link-btn", "aria-label": "关闭 Dismiss",
                  onclick: function () { desk.result = null; renderAll(); }, text: "×" })
  ]));
  var c = r.case;
  if (c) {
    var dl = h("dl", { cls: "r-case" }, [
      h("dt", {}, [bi("案件编号", "Case number")]), h("dd", { id: "result-case", cls: "r-case-no", text: c.number }),
      h("dt", {}, [bi("状态", "Status")]), h("dd", { id: "result-status" }, [caseStatus(c)])
    ]);
    if (c.promised_date) {
      dl.appendChild(h("dt", {}, [bi("承诺办结日期", "Promised by")]));
      dl.appendChild(h("dd", { id: "result-promised", cls: "r-promised", text: c.promised_date }));
    }
    if (c.progress_url) {
      dl.appendChild(h("dt", {}, [bi("进度查询", "Progress")]));
      dl.appendChild(h("dd", {}, [h("a", { href: c.progress_url, target: "_blank", rel: "noopener", id: "result-progress",
                                           text: c.progress_url })]));
    }
    box.appendChild(dl);
    var paper = r.document;
    var doc = paper ? [paper.kind_label, paper.kind_label_en || "document"]
      : { accepted: ["受理单", "acceptance slip"], concluded: ["当场办结单", "on-the-spot conclusion"],
          notice: ["一次性告知书", "one-time notice"], refused: ["不予受理决定书", "decision"] }[r.outcome];
    if (doc && r.print && r.print.ok) {
      box.appendChild(h("p", { cls: "r-print", id: "result-print" },
        [bi(doc[0] + "已送本窗口打印机", "The " + inSentence(doc[1]) + " was sent to this window's printer")]));
    } else if (doc && r.print) {
      box.appendChild(h("p", { cls: "r-warn", id: "result-print" }, [
        bi(doc[0] + "未能打印，请手写或补打：", "The " + inSentence(doc[1]) + " was not printed: "), r.print.error]));
    }
    // The paper as it comes out of the printer, with reprint (paper.js; the cases desk uses it too).
    if (paper) {
      var shown = h("div", { id: "result-paper" });
      box.appendChild(shown);
      showPaper(shown, paper, { token: session.token, window: desk.win });
    }
  } else if (r.warn) {
    box.appendChild(h("p", { cls: "r-warn" }, [bi(r.warn[0], r.warn[1])]));
  }
}

function caseStatus(c) {
  var label = c.status_label || { zh: c.status || "", en: "" };
  return bi(label.zh, label.en);
}

function minutesBetween(a, b) {
  if (!a || !b) { return null; }
  return Math.max(0, Math.round((Date.parse(b) - Date.parse(a)) / 60000));
}

export function wireClock() {
  setInterval(tick, 1000);
}
