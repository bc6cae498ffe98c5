// Signing in and out, the three screens (sign in, choose a window, the console), and the start.

import { api, ApiError, describe } from "./api.js";
import { showChooser } from "./chooser.js";
import { attach, mine, stopLive } from "./connection.js";
import { clearNote, showError } from "./notes.js";
import { desk, hall, KEY, load, save, session } from "./state.js";
import { $, clear, h, show } from "/static/shared/dom.js";

// -- screens -----------------------------------------------------------------------------

export function screen(name) {
  document.body.dataset.screen = name;
  ["login", "choose", "console"].forEach(function (n) { show($("screen-" + n), n === name); });
  show($("who"), name !== "login");
  show($("btn-logout"), name !== "login");
  show($("btn-signoff"), name === "console");
  show($("win-label"), name === "console");
  if (name !== "console") { show($("conn"), false); }
}

export function boot() {
  forgetOldTallies();
  session.token = sessionStorage.getItem(KEY + "token");
  session.user = load(sessionStorage, "user", null);
  api("GET", "/catalog").then(function (res) {
    indexCatalog(res.data);
    if (!session.token) { showLogin(); return; }
    return api("GET", "/auth/me").then(function (me) {
      session.user = me.data.user; session.allowed = me.data.windows || [];
      save(sessionStorage, "user", session.user);
      renderWho();
      var win = sessionStorage.getItem(KEY + "window");
      if (win && session.allowed.indexOf(win) >= 0) { attach(win); } else { showChooser(); }
    });
  }).catch(function (err) {
    if (err instanceof ApiError && err.status === 401) { expire(); return; }
    showLogin();
    showError(err);
  });
}

// Before the server kept a window's day, consoles kept it in localStorage: nothing reads it now.
function forgetOldTallies() {
  try {
    Object.keys(localStorage).forEach(function (k) {
      if (k.indexOf(KEY + "tally:") === 0 || k.indexOf(KEY + "suspended:") === 0) { localStorage.removeItem(k); }
    });
  } catch (e) { /* storage disabled: nothing to forget */ }
}

function indexCatalog(cat) {
  hall.catalog = cat;
  cat.items.forEach(function (i) { hall.items[i.code] = i; });
  cat.queues.forEach(function (q) { hall.queueCat[q.code] = q; });
  cat.windows.forEach(function (w) { hall.windowCat[w.id] = w; });
}

function showLogin(message) {
  screen("login");
  $("login-msg").textContent = message || "";
  setTimeout(function () { $("login-user").focus(); }, 0);
}

export function expire() {
  stopLive();
  session.token = null;
  sessionStorage.removeItem(KEY + "token");
  showLogin("登录已失效，请重新登录。Your sign-in has expired; please sign in again.");
}

export function renderWho() {
  var u = session.user || {};
  clear($("who")).appendChild(h("span", {}, [
    h("span", { cls: "who-name", text: u.name || u.username || "" }),
    u.staff_no ? h("span", { cls: "who-no", text: " " + u.staff_no }) : null
  ]));
}

function closeWindow() {
  desk.leaving = true;
  return api("POST", "/windows/" + encodeURIComponent(desk.win) + "/close").then(function () {
    stopLive();
    desk.win = null;
    sessionStorage.removeItem(KEY + "window");
    desk.leaving = false;
    return true;
  }, function (err) { desk.leaving = false; showError(err); return false; });
}

export function wireSession() {
  // -- sign in -----------------------------------------------------------------------------

  $("login-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var btn = e.target.querySelector("button[type=submit]");
    btn.disabled = true;
    $("login-msg").textContent = "";
    api("POST", "/auth/login", { username: $("login-user").value.trim(), password: $("login-pass").value })
      .then(function (res) {
        session.token = res.data.token; session.user = res.data.user;
        sessionStorage.setItem(KEY + "token", session.token);
        save(sessionStorage, "user", session.user);
        $("login-pass").value = "";
        return api("GET", "/auth/me");
      })
      .then(function (me) {
        session.user = me.data.user; session.allowed = me.data.windows || [];
        renderWho();
        showChooser();
      })
      .catch(function (err) {
        session.token = null;
        sessionStorage.removeItem(KEY + "token");
        $("login-msg").textContent = err instanceof ApiError && err.status === 401
          ? "用户名或密码不对。Wrong username or password."
          : describe(err);
      })
      .then(function () { btn.disabled = false; });
  });

  $("btn-logout").addEventListener("click", function () {
    var done = function () {
      var token = session.token;
      stopLive();
      desk.win = null;
      sessionStorage.removeItem(KEY + "window");
      sessionStorage.removeItem(KEY + "token");
      save(sessionStorage, "user", null);
      if (token) { api("POST", "/auth/logout").catch(function () { /* already gone */ }); }
      session.token = null;
      clearNote();
      showLogin("已退出。Signed out.");
    };
    if (desk.win && mine()) { closeWindow().then(function (ok) { if (ok) { done(); } }); } else { done(); }
  });

  $("btn-signoff").addEventListener("click", function () {
    closeWindow().then(function (ok) { if (ok) { showChooser(); } });
  });
}
