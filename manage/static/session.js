// Signing in and out, and the start: the catalogue, who is signed in, then the board.
// Only managers, admins and chief representatives may watch the board; the server refuses the
// others anyway, this page says so before it tries.

import { api, ApiError, describe } from "./api.js";
import { startBoard, stopBoard } from "./connection.js";
import { showView } from "./followups.js";
import { clearError, showError } from "./notes.js";
import { hall, load, save, scope, session, view } from "./state.js";
import { bi } from "/static/shared/bilingual.js";
import { $, clear, show } from "/static/shared/dom.js";
import { hallBase } from "/static/shared/hall-base.js";
import { dropToken, keepToken, storedToken } from "./token.js";
import { whoLabel } from "./who.js";

var ROLES = ["manager", "admin", "chief"];

export function screen(name) {
  document.body.dataset.screen = name;
  show($("screen-login"), name === "login");
  show($("views"), name === "board");
  showView(view.name);
  show($("who"), name === "board");
  show($("btn-logout"), name === "board");
  show($("reports"), name === "board");
  if (name !== "board") { show($("conn"), false); show($("scope"), false); }
}

export function boot() {
  session.token = storedToken();
  session.user = load("user", null);
  api("GET", "/catalog").then(function (cat) {
    indexCatalog(cat);
    if (!session.token) { showLogin(); return; }
    return api("GET", "/auth/me").then(function (me) { enter(me.user); });
  }).catch(function (err) {
    if (err instanceof ApiError && err.status === 401) { expire(); return; }
    showLogin();
    showError(err);
  });
}

function indexCatalog(cat) {
  hall.catalog = cat;
  cat.queues.forEach(function (q) { hall.queueCat[q.code] = q; });
  cat.windows.forEach(function (w) { hall.windowCat[w.id] = w; });
}

function enter(user) {
  if (ROLES.indexOf(user.role) < 0) {
    forget();
    showLogin("此页面仅供大厅主任和首席代表使用。This board is for the hall manager and chief representatives.");
    return;
  }
  session.user = user;
  save("user", user);
  if (goNext()) { return; }
  renderWho();
  screen("board");
  startBoard();
}

// Back to the report page that sent the manager here to sign in (only the board's own pages, and
// in this page's hall: `next` is a path inside it).
function goNext() {
  var next = new URLSearchParams(location.search).get("next");
  if (!next || !/^\/manage\/(stats|audit|evaluation|city)(\?|$)/.test(next)) { return false; }
  location.assign(hallBase() + next);
  return true;
}

function showLogin(message) {
  screen("login");
  $("login-msg").textContent = message || "";
  setTimeout(function () { $("login-user").focus(); }, 0);
}

function forget() {
  stopBoard();
  dropToken(session.token);
  session.token = null;
  session.user = null;
  save("user", null);
}

export function expire() {
  forget();
  showLogin("登录已失效，请重新登录。Your sign-in has expired; please sign in again.");
}

function renderWho() {
  clear($("who")).appendChild(whoLabel(session.user));
  var dept = scope();
  show($("link-audit"), !dept);  // the audit log is the managers' (the server says so too)
  // Every hall at a glance, for the whole installation's staff (an account of no hall).
  show($("link-city"), session.user && session.user.hall === null && session.user.role !== "chief");
  show($("scope"), !!dept);
  if (dept) {
    var d = (hall.catalog.departments || []).filter(function (x) { return x.code === dept; })[0];
    clear($("scope")).appendChild(bi("仅" + (d ? d.name : dept), "department " + (d && d.name_en ? d.name_en : dept) + " only"));
  }
}

export function wireSession() {
  $("login-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var btn = e.target.querySelector("button[type=submit]");
    btn.disabled = true;
    $("login-msg").textContent = "";
    clearError();
    api("POST", "/auth/login", { username: $("login-user").value.trim(), password: $("login-pass").value })
      .then(function (res) {
        session.token = res.token;
        keepToken(session.token, res.user);
        $("login-pass").value = "";
        enter(res.user);
      })
      .catch(function (err) {
        forget();
        $("login-msg").textContent = err instanceof ApiError && err.status === 401
          ? "用户名或密码不对。Wrong username or password." : describe(err);
      })
      .then(function () { btn.disabled = false; });
  });

  $("btn-logout").addEventListener("click", function () {
    var token = session.token;
    if (token) { api("POST", "/auth/logout").catch(function () { /* already gone */ }); }
    forget();
    showLogin("已退出。Signed out.");
  });
}
