// Staff accounts: the list, adding one with its role and department, and per account disable or
// enable, a new password, and forgetting its failed sign-ins.

import { api, change, confirming, isAdmin, session, when } from "./api.js";
import { $, clear, h } from "/static/shared/dom.js";
import { bi } from "/static/shared/bilingual.js";

export var ROLES = {
  window: ["窗口人员", "Window staff"],
  chief: ["首席代表", "Chief representative"],
  manager: ["大厅主任", "Hall manager"],
  admin: ["管理员", "Admin"]
};

function deptName(code) {
  if (!code) { return "—"; }
  var d = (session.catalog.departments || []).filter(function (x) { return x.code === code; })[0];
  return d ? d.name : code;
}

function option(value, zh, en) { return h("option", { value: value, text: zh + " " + en }); }

export function initUsers() {
  var role = $("user-role"), dept = $("user-dept");
  Object.keys(ROLES).forEach(function (k) { role.appendChild(option(k, ROLES[k][0], ROLES[k][1])); });
  dept.appendChild(option("", "不限部门", "No department"));
  (session.catalog.departments || []).forEach(function (d) { dept.appendChild(option(d.code, d.name, d.name_en)); });
  $("user-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var body = {
      username: $("user-username").value.trim(), password: $("user-password").value, role: role.value,
      department: dept.value || null, name: $("user-name").value.trim(), staff_no: $("user-staff-no").value.trim()
    };
    change(api("POST", "/admin/users", body), "已添加账号 " + body.username + " / Account added", loadUsers)
      .then(function () { $("user-form").reset(); }, function () {});
  });
}

export function loadUsers() {
  return api("GET", "/admin/users").then(function (res) {
    var body = clear($("users-body"));
    res.users.forEach(function (u) { body.appendChild(row(u)); });
  });
}

function status(u) {
  if (u.disabled) { return h("span", { cls: "badge off" }, [bi("已停用", "Disabled")]); }
  if (u.slowed_until) { return h("span", { cls: "badge warn" }, [bi("登录受限", "Slowed")]); }
  if (u.failures) { return h("span", { cls: "badge warn", text: "失败 " + u.failures + " 次 · " + u.failures + " failed" }); }
  return h("span", { cls: "badge on" }, [bi("正常", "Active")]);
}

function row(u) {
  var role = ROLES[u.role] || [u.role, ""];
  var actions = h("td", { cls: "actions changes" });
  var tr = h("tr", { "data-user": u.username }, [
    h("td", { cls: "mono", text: u.username }),
    h("td", { text: u.name + (u.staff_no ? "（" + u.staff_no + "）" : "") }),
    // An account of no hall is the whole installation's: it signs in at every hall.
    h("td", {}, [bi(role[0], role[1]), u.hall === null ? h("span", { cls: "badge", "data-all-halls": "1" },
      [bi("全市", "all halls")]) : null].filter(Boolean)),
    h("td", { text: deptName(u.department) }),
    h("td", {}, [status(u)]),
    h("td", { text: when(u.last_login) }),
    actions
  ]);
  if (isAdmin()) { fillActions(actions, u); }
  return tr;
}

function fillActions(cell, u) {
  clear(cell);
  var path = "/admin/users/" + encodeURIComponent(u.username);
  var disable = h("button", { type: "button", cls: u.disabled ? "small" : "small danger", "data-act": "toggle" },
    [u.disabled ? bi("启用", "Enable") : bi("停用", "Disable")]);
  disable.addEventListener("click", function () {
    var act = function () {
      change(api("POST", path + (u.disabled ? "/enable" : "/disable")),
        (u.disabled ? "已启用 " : "已停用，其登录已全部失效 ") + u.username + (u.disabled ? " / Enabled" : " / Disabled; signed out everywhere"),
        loadUsers).catch(function () {});
    };
    if (u.disabled) { act(); } else { confirming(disable, "确认停用？Confirm", act); }
  });
  var reset = h("button", { type: "button", cls: "small", "data-act": "reset" }, [bi("重置密码", "Reset password")]);
  reset.addEventListener("click", function () { askPassword(cell, u, path); });
  // The server refuses an admin's own account (own_account): no button that can only fail.
  if (u.username !== session.user.username) { cell.appendChild(disable); }
  cell.appendChild(reset);
  if (u.failures) {
    var unlock = h("button", { type: "button", cls: "small", "data-act": "unlock" }, [bi("解除限制", "Unlock")]);
    unlock.addEventListener("click", function () {
      change(api("POST", path + "/unlock"), "已清除登录失败记录 / Failed sign-ins forgotten", loadUsers).catch(function () {});
    });
    cell.appendChild(unlock);
  }
}

function askPassword(cell, u, path) {
  clear(cell);
  var input = h("input", { type: "password", minlength: "8", placeholder: "新密码 New password (≥ 8)",
    autocomplete: "new-password", "data-field": "new-password" });
  var ok = h("button", { type: "button", cls: "small primary", "data-act": "save-password" }, [bi("确定", "Set")]);
  var cancel = h("button", { type: "button", cls: "small" }, [bi("取消", "Cancel")]);
  ok.addEventListener("click", function () {
    change(api("POST", path + "/reset-password", { password: input.value }),
      "密码已重置，原登录已失效 / Password reset; old sign-ins ended", loadUsers).catch(function () {});
  });
  cancel.addEventListener("click", function () { fillActions(cell, u); });
  [input, ok, cancel].forEach(function (n) { cell.appendChild(n); });
  input.focus();
}
