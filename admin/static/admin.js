// The admin page (系统管理): sign in, then the hall notice, staff accounts and devices.

import { api, ApiError, change, clearError, describe, isAdmin, KEY, session } from "./api.js";
import { initDevices, loadDevices } from "./devices.js";
import { initNotice, loadNotice } from "./notice.js";
import { initUsers, loadUsers, ROLES } from "./users.js";
import { $, show } from "/static/shared/dom.js";

function screen(name) {
  document.body.dataset.screen = name;
  show($("screen-login"), name === "login");
  show($("screen-admin"), name === "admin");
  show($("who"), name === "admin");
  show($("btn-logout"), name === "admin");
}

function showLogin(message) {
  screen("login");
  $("login-msg").textContent = message || "";
}

function enter(user) {
  session.user = user;
  var role = ROLES[user.role] || [user.role, user.role];
  $("who").textContent = (user.name || user.username) + " · " + role[0] + " " + role[1];
  if (user.role !== "admin" && user.role !== "manager") {
    showLogin("此页面仅供管理员和大厅主任使用 / This page is for admins and hall managers");
    return;
  }
  document.body.classList.toggle("read-only", !isAdmin());
  show($("read-only"), !isAdmin());
  screen("admin");
  loadNotice();
  loadUsers();
  loadDevices();
}

function signIn(event) {
  event.preventDefault();
  $("login-msg").textContent = "";
  api("POST", "/auth/login", { username: $("login-user").value.trim(), password: $("login-pass").value })
    .then(function (res) {
      session.token = res.token;
      sessionStorage.setItem(KEY + "token", res.token);
      $("login-pass").value = "";
      enter(res.user);
    }, function (err) { $("login-msg").textContent = describe(err); });
}

function signOut() {
  change(api("POST", "/auth/logout"), "已退出 / Signed out").finally(function () {
    sessionStorage.removeItem(KEY + "token");
    session.token = null;
    session.user = null;
    showLogin();
  });
}

function boot() {
  $("login-form").addEventListener("submit", signIn);
  $("btn-logout").addEventListener("click", signOut);
  $("error-close").addEventListener("click", clearError);
  api("GET", "/catalog").then(function (catalog) {
    session.catalog = catalog;
    initNotice();
    initUsers();
    initDevices();
    session.token = sessionStorage.getItem(KEY + "token");
    if (!session.token) { showLogin(); return; }
    return api("GET", "/auth/me").then(function (me) { enter(me.user); });
  }).catch(function (err) {
    if (err instanceof ApiError && err.status === 401) {
      sessionStorage.removeItem(KEY + "token");
      session.token = null;
      showLogin("登录已失效，请重新登录 / Your sign-in ended; sign in again");
      return;
    }
    showLogin(describe(err));
  });
}

boot();
