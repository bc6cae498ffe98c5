// Finishing a ticket: the outcome (1–6), the applicant, the materials, and the case the server
// opens; the ID number and phone are checked as typed (idcheck.js), the server stays the judge.

import { released, winPath } from "./actions.js";
import { api } from "./api.js";
import { formMsg, local, openDialog, submitting } from "./dialogs.js";
import { check } from "./idcheck.js";
import { CASE_OUTCOMES, OUTCOME_HELP } from "./labels.js";
import { renderMaterials } from "./render.js";
import { desk, save, work } from "./state.js";
import { checksOf, currentTicket, itemOf, materialsOf } from "./ticket.js";
import { loadToday } from "./today.js";
import { bi } from "/static/shared/bilingual.js";
import { $, clear, h, show } from "/static/shared/dom.js";

export function openFinish() {
  var t = currentTicket();
  if (work.finishFor !== t.id) {
    work.finishFor = t.id;
    $("finish-form").querySelectorAll("input[name=outcome]").forEach(function (r) { r.checked = false; });
    ["f-name", "f-id", "f-phone", "f-text-input"].forEach(function (id) { $(id).value = ""; });
  }
  $("finish-number").textContent = t.number;
  openDialog("dlg-finish", null);
  outcomeChanged();
  var checked = $("finish-form").querySelector("input[name=outcome]:checked");
  (checked || $("finish-form").querySelector("input[name=outcome]")).focus();
}

function outcome() {
  var r = $("finish-form").querySelector("input[name=outcome]:checked");
  return r ? r.value : null;
}

function outcomeChanged() {
  var o = outcome();
  var t = currentTicket();
  $("dlg-finish").dataset.outcome = o || "";
  var help = OUTCOME_HELP[o];
  clear($("outcome-help")).appendChild(help ? bi(help[0], help[1]) : bi("请选择办理结果。", "Choose the outcome."));
  var opens = CASE_OUTCOMES.indexOf(o) >= 0;
  show($("f-applicant"), opens);
  $("f-applicant-opt").textContent = "生成案件 opens a case";
  var lists = o === "accepted" || o === "notice" || o === "concluded" || o === "received";
  show($("f-materials"), lists);
  show($("f-text"), !!o);
  clear($("f-text-label")).appendChild(
    o === "refused" ? bi("不予受理理由（必填）", "Reason (required)")
      : o === "notice" ? bi("告知说明（可选）", "Note to the applicant (optional)")
        : bi("备注（可选）", "Note (optional)"));
  // Marked as the applicant's fields are, for a screen reader too; the form stays novalidate, so
  // the check before sending says what is missing, in both languages.
  $("f-text-input").required = o === "refused";
  $("f-text-input").setAttribute("aria-required", String(o === "refused"));
  if (t && lists) { renderMaterials($("f-materials-list"), t, true); }
  var item = itemOf(t);
  clear($("f-item")).appendChild(item ? bi("事项：" + item.name, item.code)
    : h("span", { cls: "bad" }, [bi("未选择办理事项：请先在号码卡片上选择", "No item: choose it on the ticket card first")]));
  show($("f-item"), opens);
  renderMissing();
  idHint();
  formMsg("finish-msg", "");
}

export function renderMissing() {
  var t = currentTicket();
  var o = outcome();
  var ul = clear($("f-missing-list"));
  if (!t || o !== "notice") { show($("f-missing"), false); return; }
  var c = checksOf(t);
  var missing = materialsOf(t).filter(function (m) { return !c[m.code]; });
  show($("f-missing"), true);
  if (!missing.length) { ul.appendChild(h("li", { cls: "empty" }, [bi("材料已齐全", "All materials checked")])); }
  missing.forEach(function (m) { ul.appendChild(h("li", { text: m.name + (m.copies ? "（" + m.copies + "）" : "") })); });
}

function birthCeiling() {
  var d = desk.day ? new Date(desk.day + "T00:00:00Z") : new Date();
  return d;
}

function idHint() {
  var res = check($("f-id").value, birthCeiling());
  var hint = clear($("f-id-hint"));
  hint.className = "id-hint " + res.state;
  if (res.zh) { hint.appendChild(bi((res.state === "ok" ? "✓ " : "") + res.zh, res.en)); }
  var ph = clear($("f-phone-hint"));
  var phone = phoneOk($("f-phone").value);
  ph.className = "id-hint" + (phone === false ? " partial" : "");
  if (phone === false) {
    ph.appendChild(bi("手机号为1开头11位，座机为区号+号码", "A mobile is 11 digits from 13x; a landline is area code + number"));
  }
  return res;
}

// The server's rule (server/core/cases.py validate_phone): a mobile, +86 allowed, or a landline.
function phoneOk(raw) {
  var p = String(raw || "").normalize("NFKC").replace(/\s+/g, "");
  if (!p) { return null; }
  return /^(?:\+86|0086|86)?-?1[3-9]\d{9}$/.test(p) || /^(?:0\d{2,3}-?)?[2-9]\d{6,7}$/.test(p);
}

function finished(t, o, data) {
  var tk = data.ticket || t;
  released(tk);
  loadToday();
  var r = { number: tk.number, outcome: o, case: data.case || null, warn: null, print: printInfo(data),
            document: data.document || null };
  if (!data.case && CASE_OUTCOMES.indexOf(o) >= 0) {
    r.warn = ["服务器未返回案件：本次结果已记在号码上，但未生成案件编号，请联系管理员。",
              "The server returned no case: the outcome is on the ticket, but no case number was opened."];
  }
  desk.result = r;
  save(sessionStorage, "checks:" + tk.id, null);
  save(sessionStorage, "item:" + tk.id, null);
  delete work.checks[tk.id];
  delete work.itemFor[tk.id];
  work.finishFor = null;
}

// `print`: {job, printer, kind, error}. A case stands even when its paper could not be queued.
function printInfo(data) {
  var p = data.print;
  if (!p) { return null; }
  return { ok: !p.error && !!p.job, printer: p.printer || "", error: p.error || "", job: p.job };
}

export function wireFinish() {
  $("f-id").addEventListener("input", idHint);
  $("f-phone").addEventListener("input", idHint);
  // A message about what was typed goes as soon as it is retyped.
  document.querySelectorAll("dialog form").forEach(function (form) {
    form.addEventListener("input", function () {
      var msg = form.querySelector(".form-msg");
      if (msg) { msg.textContent = ""; }
    });
  });
  $("finish-form").addEventListener("change", function (e) {
    if (e.target.name === "outcome") { outcomeChanged(); }
  });

  $("dlg-finish").addEventListener("keydown", function (e) {
    var tag = e.target.tagName;
    if (tag === "TEXTAREA" || (tag === "INPUT" && e.target.type !== "radio" && e.target.type !== "checkbox")) { return; }
    if (e.ctrlKey || e.altKey || e.metaKey) { return; }
    var n = Number(e.key);
    if (n >= 1 && n <= 6) {
      e.preventDefault();
      var r = $("finish-form").querySelectorAll("input[name=outcome]")[n - 1];
      r.checked = true;
      r.focus();
      outcomeChanged();
    }
  });

  $("finish-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var t = currentTicket();
    var o = outcome();
    submitting(e.target, function () {
      if (!t) { throw local("当前没有号码。No ticket at the window."); }
      if (!o) { throw local("请选择办理结果（1–6）。Choose the outcome (1–6)."); }
      var body = { outcome: o };
      var text = $("f-text-input").value.trim();
      var c = checksOf(t);
      var mats = materialsOf(t);
      var name = $("f-name").value.trim(), phone = $("f-phone").value.replace(/\s+/g, "");
      var id = idHint();
      if (CASE_OUTCOMES.indexOf(o) >= 0) {
        var item = itemOf(t);
        if (!item) { throw local("请先选择办理事项。Choose the item first (on the ticket card)."); }
        if (item.code !== t.item) { body.item = item.code; }
        if (!name) { throw local("请填写申请人姓名。Enter the applicant's name."); }
        if (id.state !== "ok") {
          throw local("身份证号有误：" + (id.zh || "请填写") + "。ID number: " + (id.en || "required") + ".");
        }
        if (!phoneOk(phone)) { throw local("请填写正确的联系电话。Enter a mobile or landline number."); }
        body.applicant = { name: name, id_number: id.value, phone: phone };
      }
      var received = mats.filter(function (m) { return c[m.code]; }).map(function (m) { return m.code; });
      if (o === "accepted" || o === "concluded" || o === "notice" || o === "received") { body.materials = received; }
      if (o === "notice") {
        body.missing = mats.filter(function (m) { return !c[m.code]; }).map(function (m) { return m.code; });
        if (!body.missing.length) {
          throw local("一次性告知须列出缺少的材料：请取消勾选未收到的材料。Uncheck the materials the visitor must bring.");
        }
      }
      if (o === "refused") {
        if (!text) { throw local("不予受理必须写明理由。A refusal needs its reason."); }
        body.reason = text;
      } else if (text) {
        body.note = text;
      }
      return api("POST", winPath("finish"), body).then(function (res) { finished(t, o, res.data); });
    });
  });
}
