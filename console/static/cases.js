// The cases desk (办件台): the department's open cases with their promise, time left and tier;
// one case at a time in the side panel with its extensions and suspensions, what may be done to
// it now (cases_actions.js) and its papers (/static/paper.js). It signs in like the console and
// shares its sign-in within the tab. The server decides everything: the page shows its answers.

import { renderActions } from "./cases_actions.js";
import { describe as describeWith, request } from "/static/shared/api.js";
import { bi } from "/static/shared/bilingual.js";
import { $, clear, h, show } from "/static/shared/dom.js";
import { hallStore } from "/static/shared/hall-base.js";
import { newest } from "/static/shared/newest.js";
import { showPaper } from "/static/paper.js";

var KEY = hallStore("hallq.console.");  // the console's sign-in, of this page's hall
var CODE_ZH = { forbidden: "无权操作", unauthorized: "登录已失效", not_found: "未找到", invalid: "填写有误",
                invalid_body: "填写有误", network: "无法连接服务器，请检查网络" };
var TIER = { yellow: ["黄色预警", "Yellow"], orange: ["橙色预警", "Orange"], red: ["红色预警·已超期", "Red"] };
var ROLE = { window: ["窗口人员", "window staff"], chief: ["首席代表", "chief representative"],
             manager: ["管理人员", "manager"], admin: ["系统管理员", "admin"] };

export var desk = { token: null, user: null, data: null, selected: null, catalog: null };

export function api(method, path, body) { return request(method, path, body, desk.token); }
export function describe(err) { return describeWith(err, CODE_ZH); }

function screen(name) {
  document.body.dataset.screen = name;
  show($("screen-login"), name === "login");
  show($("screen-desk"), name === "desk");
  show($("who"), name === "desk");
  show($("btn-logout"), name === "desk");
}

function boot() {
  desk.token = sessionStorage.getItem(KEY + "token");
  api("GET", "/catalog").then(function (res) {
    desk.catalog = res.data;
    if (!desk.token) { screen("login"); return; }
    return api("GET", "/auth/me").then(function (me) { signedIn(me.data.user); });
  }).catch(function () { forget(); screen("login"); });
}

function signedIn(user) {
  desk.user = user;
  var role = ROLE[user.role] || [user.role, user.role];
  clear($("who")).appendChild(bi((user.name || user.username) + " · " + role[0], role[1]));
  screen("desk");
  load();
}

function forget() { desk.token = null; sessionStorage.removeItem(KEY + "token"); }

// -- the list ---------------------------------------------------------------------------------------

// The list is read on sign-in, on 刷新 and after every action: only the newest read draws.
var listReads = newest();

export function load(keepSelection) {
  $("desk-msg").textContent = "";
  var mine = listReads.next();
  return api("GET", "/cases/open").then(function (res) {
    if (!listReads.is(mine)) { return; }
    desk.data = res.data;
    var scope = desk.user.role === "manager" ? bi("全部部门", "All departments")
      : bi("本部门：" + (desk.user.department || ""), "Department " + (desk.user.department || ""));
    clear($("desk-scope")).appendChild(scope);
    renderList();
    var still = keepSelection && desk.selected && byNumber(desk.selected);
    if (still) { select(desk.selected); } else { desk.selected = null; show($("detail"), false); }
  }, function (err) {
    if (err.status === 401) { forget(); screen("login"); return; }
    if (!listReads.is(mine)) { return; }
    $("desk-msg").textContent = describe(err);
  });
}

function byNumber(n) { return (desk.data.cases || []).filter(function (c) { return c.number === n; })[0] || null; }

function leftWords(c) {
  if (c.suspended) { return bi("中止计时", "Clock suspended"); }
  if (c.days_left === null || c.days_left === undefined) { return bi("—", ""); }
  if (c.days_left < 0) { return bi("超期 " + (-c.days_left) + " 个工作日", "overdue " + workingDays(-c.days_left)); }
  return bi(c.days_left + " 个工作日", workingDays(c.days_left));
}

function workingDays(n) { return n + (n === 1 ? " working day" : " working days"); }

function tierBadge(c) {
  if (!c.warning) { return h("span", { cls: "tier tier-none" }, [bi("正常", "On time")]); }
  var t = TIER[c.warning] || [c.warning, c.warning];
  return h("span", { cls: "tier tier-" + c.warning }, [bi(t[0], t[1])]);
}

function renderList() {
  var body = clear($("cases-body"));
  var cases = desk.data.cases || [];
  show($("cases-empty"), !cases.length);
  cases.forEach(function (c) {
    var pending = c.pending_extension ? h("span", { cls: "flag" }, [bi("延长待批", "extension pending")]) : null;
    body.appendChild(h("tr", {
      cls: "case-row" + (c.number === desk.selected ? " selected" : ""), "data-number": c.number, tabindex: "0",
      onclick: function () { select(c.number); },
      onkeydown: function (e) { if (e.key === "Enter") { select(c.number); } }
    }, [
      h("td", { cls: "c-number", text: c.number }),
      h("td", {}, [c.item_name, h("span", { cls: "en", text: " " + c.item })]),
      h("td", {}, [bi(c.status_label.zh, c.status_label.en), pending]),
      h("td", { text: c.promised_date || "—" }),
      h("td", {}, [leftWords(c)]),
      h("td", {}, [tierBadge(c)])
    ]));
  });
}

// -- one case ---------------------------------------------------------------------------------------

export function select(number) {
  desk.selected = number;
  renderList();
  var c = byNumber(number);
  if (!c) { show($("detail"), false); return; }
  show($("detail"), true);
  clear($("d-title")).appendChild(bi("办件 " + c.number, c.item_name));
  var facts = clear($("d-facts"));
  [["状态", "Status", bi(c.status_label.zh, c.status_label.en)],
   ["收件/受理日", "Opened on", c.accepted_on],
   ["承诺日期", "Promised", c.promised_date || "—"],
   ["剩余", "Left", leftWords(c)],
   ["预警", "Tier", tierBadge(c)],
   ["补正自", "Follows notice", c.follows || "—"]].forEach(function (row) {
    facts.appendChild(h("dt", {}, [bi(row[0], row[1])]));
    facts.appendChild(h("dd", {}, [row[2]]));
  });
  renderClock(c);
  renderActions(c);
  loadDocuments(c);
}

var STATE = { requested: ["待审批", "awaiting approval"], approved: ["已批准", "approved"],
              rejected: ["已驳回", "rejected"], running: ["计时中止中", "running"], ended: ["已恢复计时", "ended"] };

function renderClock(c) {
  var ul = clear($("d-clock"));
  if (!c.clock.length) { ul.appendChild(h("li", { cls: "empty" }, [bi("无", "None")])); }
  c.clock.forEach(function (e) {
    var st = STATE[e.state] || [e.state, e.state];
    var what = e.kind === "extension"
      ? bi("延长 " + e.days + " 个工作日", "Extension of " + workingDays(e.days))
      : bi("中止计时：" + (e.suspension_label ? e.suspension_label[0] : ""),
           "Suspended: " + (e.suspension_label ? e.suspension_label[1] : ""));
    ul.appendChild(h("li", { cls: "clock-" + e.state }, [
      what, " · ", bi(st[0], st[1]),
      h("div", { cls: "clock-reason", text: e.reason + (e.legal_basis ? "（" + e.legal_basis + "）" : "") }),
      e.new_promised ? h("div", { cls: "clock-dates" }, [bi("承诺日期 " + (e.old_promised || "") + " → " + e.new_promised,
                                                            "promised " + (e.old_promised || "") + " → " + e.new_promised)]) : null,
      e.kind === "suspension" && e.state === "ended"
        ? h("div", { cls: "clock-dates" }, [bi("中止 " + e.days + " 个工作日", workingDays(e.days) + " suspended")]) : null
    ]));
  });
}

// Each load of the documents is numbered: a case selected again (a click, then the list reloaded
// after an action) sends a second request before the first is answered, and the first answer,
// coming late, added its papers beside the second's.
var docsReads = newest();

export function loadDocuments(c) {
  var mine = docsReads.next();
  var box = clear($("d-docs"));
  api("GET", "/cases/" + encodeURIComponent(c.number) + "/documents").then(function (res) {
    if (!docsReads.is(mine) || desk.selected !== c.number) { return; }
    var docs = res.data.documents || [];
    if (!docs.length) { box.appendChild(h("p", { cls: "empty" }, [bi("尚无文书", "No documents yet")])); }
    docs.slice().reverse().forEach(function (d) {
      var slot = h("div", { cls: "d-doc" }, []);
      box.appendChild(slot);
      showPaper(slot, d, { token: desk.token, window: null });
    });
  }, function (err) {
    if (docsReads.is(mine)) { box.appendChild(h("p", { cls: "form-msg", text: describe(err) })); }
  });
}

// -- wiring -------------------------------------------------------------------------------------------

$("login-form").addEventListener("submit", function (e) {
  e.preventDefault();
  var btn = e.target.querySelector("button[type=submit]");
  btn.disabled = true;
  $("login-msg").textContent = "";
  request("POST", "/auth/login", { username: $("login-user").value.trim(), password: $("login-pass").value })
    .then(function (res) {
      desk.token = res.data.token;
      sessionStorage.setItem(KEY + "token", desk.token);
      $("login-pass").value = "";
      signedIn(res.data.user);
    }, function (err) {
      $("login-msg").textContent = err.status === 401 ? "用户名或密码不对。Wrong username or password." : describe(err);
    })
    .then(function () { btn.disabled = false; });
});
$("btn-logout").addEventListener("click", function () {
  api("POST", "/auth/logout").catch(function () { return null; }).then(function () { forget(); screen("login"); });
});
$("btn-reload").addEventListener("click", function () { load(true); });

boot();
