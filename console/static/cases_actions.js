// What may be done to the selected case now, by its status and clock, and the small form each
// action asks for (reason, legal basis, days, the missing materials). Every answer reloads the
// list; a refusal shows the server's own words in the form.

import { api, desk, describe, load } from "./cases.js";
import { bi } from "/static/shared/bilingual.js";
import { $, clear, h, show } from "/static/shared/dom.js";

var current = null;   // {case, action} while a form is open

function text(name, zh, en, opts) {
  opts = opts || {};
  var input = h(opts.long ? "textarea" : "input", {
    name: name, id: "act-" + name, rows: opts.long ? "2" : null, maxlength: "1000",
    type: opts.type || null, min: opts.min || null, max: opts.max || null, value: opts.value || null
  });
  return h("label", { cls: "act-field" }, [bi(zh, en), input]);
}

function suspensionKinds() {
  var sel = h("select", { name: "kind", id: "act-kind" }, desk.data.suspension_kinds.map(function (k) {
    return h("option", { value: k.code, text: k.name + " " + k.name_en });
  }));
  return h("label", { cls: "act-field" }, [bi("中止情形", "Ground"), sel]);
}

function materialsOf(c) {
  var item = (desk.catalog.items || []).filter(function (i) { return i.code === c.item; })[0];
  return item ? item.guide.materials : [];
}

function missingChoice(c) {
  return h("fieldset", { cls: "act-field act-missing" }, [
    h("legend", {}, [bi("缺少的材料（一次性列明）", "Missing materials (all at once)")])
  ].concat(materialsOf(c).map(function (m) {
    return h("label", {}, [h("input", { type: "checkbox", name: "missing", value: m.code }), m.name,
                           h("span", { cls: "en", text: " " + (m.name_en || "") })]);
  })));
}

function val(name) { var e = $("act-" + name); return e ? e.value.trim() : ""; }

var path = function (c, tail) { return "/cases/" + encodeURIComponent(c.number) + tail; };

function move(to, extra) {
  return function (c) { return api("POST", path(c, "/transition"), Object.assign({ to: to }, extra ? extra() : {})); };
}

// action: [zh, en, form fields (or null: no form, done at once), send]
var ACTIONS = {
  accept: ["受理", "Accept", function () { return [text("note", "备注（可选）", "Note (optional)")]; },
           move("accepted", function () { return { note: val("note") }; })],
  notice: ["一次性告知", "Notice of missing materials", function (c) {
    return [missingChoice(c), text("note", "告知说明（可选）", "Note to the applicant (optional)", { long: true })];
  }, function (c) {
    var missing = Array.prototype.map.call(document.querySelectorAll("#act-fields input[name=missing]:checked"),
                                           function (b) { return b.value; });
    return api("POST", path(c, "/transition"), { to: "noticed", missing: missing, note: val("note") });
  }],
  review: ["开始审查", "Start review", null, move("in_review")],
  approve: ["批准", "Approve", function () {
    return [text("legal_basis", "法律依据（可选，默认事项依据）", "Legal basis (optional)")];
  }, move("decided_approved", function () { return { legal_basis: val("legal_basis") }; })],
  deny: ["不予批准", "Deny", function () {
    return [text("note", "理由（必填）", "Reason (required)", { long: true }),
            text("legal_basis", "法律依据（必填）", "Legal basis (required)")];
  }, move("decided_denied", function () { return { note: val("note"), legal_basis: val("legal_basis") }; })],
  deliver: ["送达", "Deliver", null, move("delivered")],
  extend: ["申请延长", "Request extension", function () {
    var r = desk.data.rules;
    return [text("days", "延长工作日数（1–" + r.max_extension_days + "）", "Working days", { type: "number", min: "1",
                 max: String(r.max_extension_days), value: "5" }),
            text("reason", "理由（必填）", "Reason (required)", { long: true }),
            text("legal_basis", "法律依据（必填）", "Legal basis (required)")];
  }, function (c) {
    return api("POST", path(c, "/extensions"), { days: Number(val("days")), reason: val("reason"),
                                                 legal_basis: val("legal_basis") });
  }],
  approve_ext: ["批准延长", "Approve extension", function () { return [text("note", "意见（可选）", "Note (optional)")]; },
                function (c) { return api("POST", path(c, "/extensions/" + c.pending_extension + "/approve"), { note: val("note") }); }],
  reject_ext: ["驳回延长", "Reject extension", function () { return [text("note", "驳回理由（必填）", "Why (required)")]; },
               function (c) { return api("POST", path(c, "/extensions/" + c.pending_extension + "/reject"), { note: val("note") }); }],
  suspend: ["中止计时", "Suspend the clock", function () {
    return [suspensionKinds(), text("reason", "事由（必填）", "Reason (required)", { long: true })];
  }, function (c) { return api("POST", path(c, "/suspension"), { kind: val("kind"), reason: val("reason") }); }],
  resume: ["恢复计时", "End the suspension", null, function (c) { return api("POST", path(c, "/suspension/end")); }]
};

function available(c) {
  if (c.suspended) { return ["resume"]; }
  var out = { received: ["accept", "notice"], accepted: ["review"], in_review: ["approve", "deny"],
              decided_approved: ["deliver"], decided_denied: ["deliver"] }[c.status] || [];
  out = out.slice();
  if (c.pending_extension && c.may_approve) { out.push("approve_ext", "reject_ext"); }
  var granted = c.clock.filter(function (e) { return e.kind === "extension" && e.state === "approved"; }).length;
  // A receipt awaiting its answer is neither extended nor suspended; a decided case is not extended
  // (art. 42 extends the time to decide, not the delivery).
  if (c.status === "received") { return out; }
  var deciding = c.status === "accepted" || c.status === "in_review";
  if (deciding && !c.pending_extension && granted < desk.data.rules.max_extensions) { out.push("extend"); }
  out.push("suspend");
  return out;
}

export function renderActions(c) {
  closeForm();
  var box = clear($("d-buttons"));
  available(c).forEach(function (name) {
    var a = ACTIONS[name];
    box.appendChild(h("button", { type: "button", cls: "act-btn act-" + name, "data-action": name,
                                  onclick: function () { start(c, name); } }, [bi(a[0], a[1])]));
  });
}

function start(c, name) {
  var a = ACTIONS[name];
  if (!a[2]) { send(c, name); return; }
  current = { case: c, action: name };
  clear($("act-title")).appendChild(bi(a[0], a[1]));
  var fields = clear($("act-fields"));
  a[2](c).forEach(function (f) { fields.appendChild(f); });
  $("act-msg").textContent = "";
  show($("act-form"), true);
  var first = fields.querySelector("input, textarea, select");
  if (first) { first.focus(); }
}

function closeForm() { current = null; show($("act-form"), false); clear($("act-fields")); }

function send(c, name) {
  $("act-msg").textContent = "";
  var buttons = document.querySelectorAll("#d-buttons button, #act-submit");
  Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
  return ACTIONS[name][3](c).then(function () {
    closeForm();
    return load(true);
  }, function (err) {
    $("act-msg").textContent = describe(err);
    if (!current) { $("desk-msg").textContent = describe(err); }
  }).then(function () { Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; }); });
}

$("act-form").addEventListener("submit", function (e) {
  e.preventDefault();
  if (current) { send(current.case, current.action); }
});
$("act-cancel").addEventListener("click", closeForm);
