// HallQ window console (窗口控制台). The server decides everything; this page shows what it says,
// sends what staff do, and shows the server's message plainly when it refuses.
//
// State comes from three places, in this order of trust:
//   1. the Socket.IO subscribe snapshot (window:ID and queue:CODE rooms), taken again on every
//      reconnect by HallqLive, so the page is whole again at once;
//   2. events newer than that snapshot (window.updated, queue.updated, ticket.*);
//   3. the answers of this page's own HTTP actions (applied at once; the events agree).
// Today's tally and the window's suspended visitors are the server's too: GET
// /api/v1/windows/{id}/today, read again on every snapshot (attaching, each reconnect), after
// this page's finish, no-show, suspend and back, and when an event says the window's day moved.
// Nothing of them is kept in the browser.
(function () {
  "use strict";

  var API = "/api/v1";
  var KEY = "hallq.console.";

  var OUTCOMES = {
    accepted: { zh: "受理", en: "Accepted" },
    notice: { zh: "一次性告知", en: "Notice" },
    refused: { zh: "不予受理", en: "Refused" },
    concluded: { zh: "当场办结", en: "Concluded" },
    consulted: { zh: "咨询", en: "Consulted" },
    done: { zh: "未标注结果", en: "No outcome" },
    no_show: { zh: "未到", en: "No-show" }
  };
  var OUTCOME_HELP = {
    accepted: ["生成案件编号，计算承诺办结日期，在本窗口打印受理单（含进度查询二维码）。",
               "Opens a case with its number and promised date; prints the acceptance slip with a progress QR code."],
    notice: ["未勾选的材料即为需补正材料，一次性列入告知书并打印。",
             "Every unchecked material goes on the printed one-time notice."],
    refused: ["打印不予受理决定书，载明申请行政复议、提起行政诉讼的权利和期限。理由必填。",
              "Prints the decision with the right to administrative review or lawsuit. A reason is required."],
    concluded: ["当场办结：生成案件（办结日期为今天），打印受理单。",
                "Done on the spot: a case concluded today, and its slip printed."],
    consulted: ["仅咨询，不生成案件。", "Consultation only; no case is opened."]
  };
  var STATUS = {
    waiting: ["等候中", "Waiting"], called: ["已叫号·待到达", "Called"], serving: ["办理中", "Serving"],
    suspended: ["已挂起", "Suspended"], done: ["已办结", "Done"], no_show: ["未到", "No-show"],
    cancelled: ["已作废", "Cancelled"]
  };
  // A case's status words come from the server (case.status_label), the one place they are written.
  var WSTATUS = { open: ["服务中", "Open"], paused: ["暂停", "Paused"], closed: ["未签到", "Closed"] };
  var CODE_ZH = {
    window_state: "窗口状态不允许此操作", illegal_transition: "该号码当前状态不允许此操作",
    not_found: "未找到", forbidden: "无权操作", unauthorized: "登录已失效", invalid_body: "填写有误",
    invalid: "填写有误", malformed_json: "请求格式错误", too_many_attempts: "尝试次数过多，请稍后再试",
    not_issuing: "当前不可取号", internal_error: "服务器内部错误", network: "无法连接服务器，请检查网络"
  };

  var S = {
    token: null, user: null, allowed: [], catalog: null,
    items: {}, queueCat: {}, windowCat: {},
    win: null, wstate: null, queues: {}, ticket: null,
    day: null, today: null, checks: {},
    live: null, conn: "connecting", snapshots: 0, busy: false,
    result: null, finishFor: null, itemFor: {}
  };
  var CASE_OUTCOMES = ["accepted", "notice", "refused", "concluded"];

  // -- small helpers ---------------------------------------------------------------------

  function $(id) { return document.getElementById(id); }

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) { return; }
      if (k === "text") { el.textContent = v; }
      else if (k === "cls") { el.className = v; }
      else if (k.slice(0, 2) === "on") { el.addEventListener(k.slice(2), v); }
      else { el.setAttribute(k, v === true ? "" : v); }
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) { return; }
      el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return el;
  }

  function bi(zh, en) { return h("span", {}, [zh + " ", h("span", { cls: "en", text: en })]); }

  function clear(el) { while (el.firstChild) { el.removeChild(el.firstChild); } return el; }

  function show(el, yes) { el.hidden = !yes; }

  function hhmm(iso) { return iso ? iso.slice(11, 16) : ""; }

  function minutesBetween(a, b) {
    if (!a || !b) { return null; }
    return Math.max(0, Math.round((Date.parse(b) - Date.parse(a)) / 60000));
  }

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function load(store, key, fallback) {
    try { var v = store.getItem(KEY + key); return v ? JSON.parse(v) : fallback; }
    catch (e) { return fallback; }
  }
  function save(store, key, value) {
    try {
      if (value === null) { store.removeItem(KEY + key); } else { store.setItem(KEY + key, JSON.stringify(value)); }
    } catch (e) { /* storage full or disabled: the page still works, it only forgets on reload */ }
  }

  // -- the API ---------------------------------------------------------------------------

  // message: the server's English; zh: its Chinese (message_zh), which every screen shows first.
  function ApiError(status, code, message, zh) {
    this.status = status; this.code = code; this.message = message; this.zh = zh || "";
  }

  function api(method, path, body) {
    var opts = { method: method, headers: { Accept: "application/json" }, cache: "no-store" };
    if (S.token) { opts.headers.Authorization = "Bearer " + S.token; }
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(API + path, opts).then(function (r) {
      if (r.status === 204) { return { status: 204, data: null }; }
      return r.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!r.ok) {
          var e = data && data.error ? data.error : {};
          throw new ApiError(r.status, e.code || "http_" + r.status, e.message || text || r.statusText, e.message_zh);
        }
        return { status: r.status, data: data };
      });
    }, function () {
      throw new ApiError(0, "network", "the server did not answer; check the network", "服务器无应答，请检查网络");
    });
  }

  // Chinese first (the server's own words, else what the code means), then the English.
  function describe(err) {
    if (!(err instanceof ApiError)) { return "出错了 / Something went wrong: " + String(err && err.message || err); }
    var zh = err.zh || CODE_ZH[err.code] || "操作未完成";
    // A refusal written "中文 / English" already leads with its Chinese: shown once.
    var text = err.message.indexOf(zh + " / ") === 0 ? err.message : zh + " / " + err.message;
    return text + (err.status ? "（" + err.code + "，HTTP " + err.status + "）" : "");
  }

  // -- notices and errors ------------------------------------------------------------------

  var noticeTimer = null;

  function showError(err) {
    if (err instanceof ApiError && err.status === 401 && S.token) { expire(); return; }
    note(typeof err === "string" ? err : describe(err), "error");
  }

  function note(text, kind) {
    var box = $("error");
    box.className = "error " + (kind || "info");
    $("error-text").textContent = text;
    box.hidden = false;
    clearTimeout(noticeTimer);
    // Errors stay until dismissed or the next action; plain notices fade.
    if (kind !== "error") { noticeTimer = setTimeout(function () { box.hidden = true; }, 6000); }
  }

  function clearNote() { $("error").hidden = true; }

  // -- screens -----------------------------------------------------------------------------

  function screen(name) {
    document.body.dataset.screen = name;
    ["login", "choose", "console"].forEach(function (n) { show($("screen-" + n), n === name); });
    show($("who"), name !== "login");
    show($("btn-logout"), name !== "login");
    show($("btn-signoff"), name === "console");
    show($("win-label"), name === "console");
    if (name !== "console") { show($("conn"), false); }
  }

  function boot() {
    forgetOldTallies();
    S.token = sessionStorage.getItem(KEY + "token");
    S.user = load(sessionStorage, "user", null);
    api("GET", "/catalog").then(function (res) {
      indexCatalog(res.data);
      if (!S.token) { showLogin(); return; }
      return api("GET", "/auth/me").then(function (me) {
        S.user = me.data.user; S.allowed = me.data.windows || [];
        save(sessionStorage, "user", S.user);
        renderWho();
        var win = sessionStorage.getItem(KEY + "window");
        if (win && S.allowed.indexOf(win) >= 0) { attach(win); } else { showChooser(); }
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
    S.catalog = cat;
    cat.items.forEach(function (i) { S.items[i.code] = i; });
    cat.queues.forEach(function (q) { S.queueCat[q.code] = q; });
    cat.windows.forEach(function (w) { S.windowCat[w.id] = w; });
  }

  function showLogin(message) {
    screen("login");
    $("login-msg").textContent = message || "";
    setTimeout(function () { $("login-user").focus(); }, 0);
  }

  function expire() {
    stopLive();
    S.token = null;
    sessionStorage.removeItem(KEY + "token");
    showLogin("登录已失效，请重新登录。Your sign-in has expired; please sign in again.");
  }

  function renderWho() {
    var u = S.user || {};
    clear($("who")).appendChild(h("span", {}, [
      h("span", { cls: "who-name", text: u.name || u.username || "" }),
      u.staff_no ? h("span", { cls: "who-no", text: " " + u.staff_no }) : null
    ]));
  }

  // -- sign in -----------------------------------------------------------------------------

  $("login-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var btn = e.target.querySelector("button[type=submit]");
    btn.disabled = true;
    $("login-msg").textContent = "";
    api("POST", "/auth/login", { username: $("login-user").value.trim(), password: $("login-pass").value })
      .then(function (res) {
        S.token = res.data.token; S.user = res.data.user;
        sessionStorage.setItem(KEY + "token", S.token);
        save(sessionStorage, "user", S.user);
        $("login-pass").value = "";
        return api("GET", "/auth/me");
      })
      .then(function (me) {
        S.user = me.data.user; S.allowed = me.data.windows || [];
        renderWho();
        showChooser();
      })
      .catch(function (err) {
        S.token = null;
        sessionStorage.removeItem(KEY + "token");
        $("login-msg").textContent = err instanceof ApiError && err.status === 401
          ? "用户名或密码不对。Wrong username or password."
          : describe(err);
      })
      .then(function () { btn.disabled = false; });
  });

  $("btn-logout").addEventListener("click", function () {
    var done = function () {
      var token = S.token;
      stopLive();
      S.win = null;
      sessionStorage.removeItem(KEY + "window");
      sessionStorage.removeItem(KEY + "token");
      save(sessionStorage, "user", null);
      if (token) { api("POST", "/auth/logout").catch(function () { /* already gone */ }); }
      S.token = null;
      clearNote();
      showLogin("已退出。Signed out.");
    };
    if (S.win && mine()) { closeWindow().then(function (ok) { if (ok) { done(); } }); } else { done(); }
  });

  $("btn-signoff").addEventListener("click", function () {
    closeWindow().then(function (ok) { if (ok) { showChooser(); } });
  });

  function closeWindow() {
    S.leaving = true;
    return api("POST", "/windows/" + encodeURIComponent(S.win) + "/close").then(function () {
      stopLive();
      S.win = null;
      sessionStorage.removeItem(KEY + "window");
      S.leaving = false;
      return true;
    }, function (err) { S.leaving = false; showError(err); return false; });
  }

  // -- choose a window -----------------------------------------------------------------------

  function showChooser() {
    screen("choose");
    var box = clear($("choose-groups"));
    box.appendChild(h("p", { cls: "hint", text: "加载中… Loading…" }));
    Promise.all([api("GET", "/auth/me"), api("GET", "/hall")]).then(function (res) {
      S.user = res[0].data.user; S.allowed = res[0].data.windows || [];
      renderWho();
      var states = {};
      (res[1].data.windows || []).forEach(function (w) { states[w.id] = w; });
      renderChooser(states);
    }).catch(function (err) { clear(box); showError(err); });
  }

  function renderChooser(states) {
    var box = clear($("choose-groups"));
    var dept = S.user && S.user.department;
    var groups = [
      { zh: "本部门窗口", en: "Your department's windows", ws: [] },
      { zh: "综合代理窗口", en: "Comprehensive proxy windows", ws: [] },
      { zh: "其他窗口", en: "Other windows", ws: [] }
    ];
    S.allowed.forEach(function (id) {
      var w = S.windowCat[id];
      if (!w) { return; }
      if (w.kind === "proxy") { groups[1].ws.push(w); }
      else if (dept && w.department === dept) { groups[0].ws.push(w); }
      else { groups[2].ws.push(w); }
    });
    if (!S.allowed.length) {
      box.appendChild(h("p", { cls: "form-msg", text: "您没有可签到的窗口。No window allows you to sign in." }));
    }
    groups.forEach(function (g) {
      if (!g.ws.length) { return; }
      var list = h("div", { cls: "win-cards" });
      g.ws.forEach(function (w) { list.appendChild(windowCard(w, states[w.id])); });
      box.appendChild(h("section", { cls: "win-group" }, [h("h2", {}, [bi(g.zh, g.en)]), list]));
    });
    // Focus where Enter is most likely meant: your own window, else the first free one.
    var first = box.querySelector("button.win-card.mine") || box.querySelector("button.win-card:not(.taken)");
    if (first) { first.focus(); }
  }

  function windowCard(w, st) {
    var status = st ? st.status : "closed";
    var me = st && st.staff && S.user && st.staff.id === S.user.id;
    var who = st && st.staff ? st.staff.name : "";
    var state = me ? bi("您已在此签到·继续", "Yours: continue")
      : status === "closed" ? bi("空闲", "Free")
      : bi((WSTATUS[status] || [status])[0] + "·" + who, (WSTATUS[status] || ["", status])[1]);
    var queues = (w.queues || []).map(function (sq) {
      var q = S.queueCat[sq.queue];
      return h("span", { cls: "q-chip", title: q ? q.name_en : "" }, [sq.queue + " " + (q ? q.name : "")]);
    });
    var card = h("button", {
      type: "button", cls: "win-card" + (me ? " mine" : "") + (status !== "closed" && !me ? " taken" : ""),
      "data-window": w.id,
      onclick: function () { choose(w.id, me); }
    }, [
      h("span", { cls: "wc-name", text: w.name }),
      h("span", { cls: "wc-en", text: w.name_en }),
      h("span", { cls: "wc-zone", text: w.zone || "" }),
      h("span", { cls: "wc-queues" }, queues),
      h("span", { cls: "wc-state s-" + (me ? "mine" : status) }, [state])
    ]);
    var offer = !me && st && st.staff && (status === "paused" || (status === "open" && oversees()));
    return h("div", { cls: "win-slot", "data-window": w.id }, [
      card,
      offer ? h("button", {
        type: "button", cls: "win-takeover", "data-window": w.id,
        title: status === "paused" ? "窗口暂停中，可由您接管（第二十六条）。The window is paused: you may cover it (article 26)."
          : "作为首席代表或管理员指派给自己。Assign it to yourself as chief representative or manager.",
        onclick: function () { takeOver(w.id, who); }
      }, [bi("接管", "Take over"), who ? h("span", { cls: "wt-from", text: "（" + who + "）" }) : null]) : null
    ]);
  }

  function oversees() {
    var role = S.user && S.user.role;
    return role === "chief" || role === "manager" || role === "admin";
  }

  // Article 26: a colleague covers a window left paused; a chief representative or manager may
  // assign any. The server decides: whatever it answers is shown as it is.
  function takeOver(id, from) {
    clearNote();
    api("POST", "/windows/" + encodeURIComponent(id) + "/hand-over", { username: S.user.username }).then(function () {
      attach(id);
      note("已接管" + (from ? " " + from + " 的" : "") + "窗口。You now staff this window.", "info");
    }, function (err) {
      showChooser();
      showError(err);
    });
  }

  function choose(id, alreadyMine) {
    clearNote();
    var opened = alreadyMine ? Promise.resolve() : api("POST", "/windows/" + encodeURIComponent(id) + "/open");
    opened.then(function () { attach(id); }, showError);
  }

  // -- the console ---------------------------------------------------------------------------

  function mine() {
    return !!(S.wstate && S.wstate.staff && S.user && S.wstate.staff.id === S.user.id);
  }

  function windowQueues() {
    var w = S.windowCat[S.win];
    return w ? w.queues.map(function (sq) { return sq.queue; }) : [];
  }

  function attach(id) {
    S.win = id;
    sessionStorage.setItem(KEY + "window", id);
    S.wstate = null; S.ticket = null; S.queues = {}; S.result = null;
    var w = S.windowCat[id];
    $("win-name").textContent = w ? w.name + " " : id;
    if (w) { $("win-name").appendChild(h("span", { cls: "en", text: w.name_en })); }
    S.today = null;
    S.day = localDay();
    screen("console");
    renderAll();
    startLive();
  }

  function localDay() {
    var d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }


  // -- live ------------------------------------------------------------------------------------

  function startLive() {
    stopLive();
    var rooms = ["window:" + S.win].concat(windowQueues().map(function (q) { return "queue:" + q; }));
    S.conn = "connecting";
    S.live = new window.HallqLive({
      rooms: rooms, auth: { token: S.token },
      onSnapshot: onSnapshot, onEvent: onEvent, onStatus: onStatus
    }).start();
    renderConn();
  }

  function stopLive() {
    if (S.live) { S.live.stop(); S.live = null; }
  }

  function onStatus(status, message) {
    S.conn = status;
    renderConn();
    if (status === "error") { showError("实时连接被拒绝 Live updates refused: " + (message || "")); }
    // A refused connection (expired token) is not retried by Socket.IO: ask the API who we are.
    if (status === "offline" && message && S.live && S.live.socket && !S.live.socket.active) {
      api("GET", "/auth/me").catch(function (err) { showError(err); });
    }
  }

  function renderConn() {
    var online = navigator.onLine !== false;
    var ok = S.conn === "live" && online;
    var box = $("conn");
    box.hidden = ok || document.body.dataset.screen !== "console";
    box.className = "conn " + (online ? "reconnecting" : "offline");
    $("conn-text").textContent = "";
    $("conn-text").appendChild(!online ? bi("网络已断开，显示可能过时", "Offline: this may be out of date")
      : S.conn === "connecting" ? bi("连接中", "Connecting…") : bi("重新连接中，显示可能过时", "Reconnecting…"));
    document.body.dataset.live = ok ? "live" : "reconnecting";
    renderActions();
  }

  window.addEventListener("offline", renderConn);
  window.addEventListener("online", function () {
    renderConn();
    if (S.live && S.live.socket && !S.live.socket.connected) { S.live.socket.connect(); }
  });

  function onSnapshot(ack) {
    S.snapshots += 1;
    document.body.dataset.snapshots = String(S.snapshots);
    if (ack.now) { S.day = ack.now.slice(0, 10); }
    Object.keys(ack.queues || {}).forEach(function (code) { S.queues[code] = ack.queues[code]; });
    var w = ack.windows && ack.windows[S.win];
    if (w) { applyWindow(w); }
    if (mine()) { loadToday(); }
    renderAll();
  }

  function onEvent(name, data) {
    if (name === "window.updated" && data.window && data.window.id === S.win) {
      applyWindow(data.window);
    } else if (name === "queue.updated" && data.queue) {
      S.queues[data.queue.code] = data.queue;
      renderQueues();
    } else if (data.ticket) {
      applyTicket(data.ticket);
    }
  }

  function applyWindow(w) {
    if (S.leaving) { return; }     // signing off: the "closed" echo is ours
    S.wstate = w;
    if (!mine()) { lostWindow(w); return; }
    var cur = w.current;
    if (!cur) {
      S.ticket = null;
    } else if (!S.ticket || S.ticket.id !== cur.id) {
      S.ticket = null;
      fetchTicket(cur.id);
    } else {
      S.ticket.status = cur.status;
    }
    renderAll();
  }

  function lostWindow(w) {
    // Closed elsewhere, or handed over to a colleague (article 26): this console no longer acts here.
    var who = w.staff ? w.staff.name : "";
    stopLive();
    S.win = null;
    sessionStorage.removeItem(KEY + "window");
    showChooser();
    note(who ? "本窗口已由 " + who + " 接管。This window is now staffed by " + who + "."
      : "本窗口已关闭。This window was closed.", "error");
  }

  function fetchTicket(id) {
    api("GET", "/tickets/" + encodeURIComponent(id)).then(function (res) {
      var cur = S.wstate && S.wstate.current;
      if (cur && cur.id === id) { S.ticket = res.data.ticket; renderAll(); }
    }, showError);
  }

  function applyTicket(t) {
    var cur = S.wstate && S.wstate.current;
    if (cur && t.id === cur.id && (t.status === "called" || t.status === "serving")) {
      S.ticket = t; cur.status = t.status;
    }
    if (movesToday(t)) { loadToday(); }
    renderAll();
  }

  // -- today's tally and suspended visitors: the server's ------------------------------------

  // Does this ticket change the window's day? Finished or not come here, suspended to here, or
  // a visitor on the suspended list who moved on (back in line, cancelled).
  function movesToday(t) {
    if (t.window === S.win && (t.status === "done" || t.status === "no_show")) { return true; }
    if (t.status === "suspended" && t.target_window === S.win) { return true; }
    return !!(S.today && S.today.suspended.some(function (s) { return s.id === t.id; }));
  }

  // One request at a time; a call while one is on its way asks for one more afterwards, so the
  // last answer shown is never older than the last change asked about.
  var todayLoad = { busy: false, again: false };

  function loadToday() {
    var win = S.win;
    if (!win) { return Promise.resolve(); }
    if (todayLoad.busy) { todayLoad.again = true; return todayLoad.busy; }
    todayLoad.again = false;
    todayLoad.busy = api("GET", "/windows/" + encodeURIComponent(win) + "/today").then(function (res) {
      if (S.win !== win) { return; }
      S.today = res.data;
      if (res.data.day) { S.day = res.data.day; }
      renderSuspended();
      renderTally();
    }, function (err) {
      // Not at this window any more (handed over, closed elsewhere): the window event says so.
      if (err.status === 403 || err.status === 409) { return; }
      if (err.status === 401) { showError(err); return; }
      $("tally-note").textContent = "今日统计未能读取 Today's tally could not be read: " + describe(err);
    }).then(function () {
      todayLoad.busy = false;
      if (todayLoad.again && S.win === win) { return loadToday(); }
    });
    return todayLoad.busy;
  }

  // -- rendering ---------------------------------------------------------------------------------

  function renderAll() {
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
    var st = S.wstate ? S.wstate.status : "connecting";
    var label = WSTATUS[st] || ["连接中", "Connecting"];
    var badge = clear($("win-status"));
    badge.className = "badge w-" + st;
    badge.appendChild(bi(label[0], label[1]));
    var paused = st === "paused";
    show($("paused"), paused);
    if (paused) {
      clear($("paused-reason")).appendChild(h("span", {}, [
        "原因 Reason：", h("strong", { text: S.wstate.pause_reason || "" }),
        S.wstate.since ? "　自 since " + hhmm(S.wstate.since) : ""
      ]));
    }
    document.body.dataset.window = st;
  }

  function renderQueues() {
    var ul = clear($("queues"));
    windowQueues().forEach(function (code) {
      var q = S.queues[code], cat = S.queueCat[code] || {};
      var waiting = q ? q.waiting : null;
      var next = q && q.order ? q.order.slice(0, 4).join(" ") : "";
      ul.appendChild(h("li", { cls: "queue" + (waiting ? " has" : ""), "data-queue": code }, [
        h("span", { cls: "q-code", text: code }),
        h("span", { cls: "q-name" }, [cat.name || code, h("span", { cls: "en", text: cat.name_en || "" })]),
        h("span", { cls: "q-count", "data-count": waiting === null ? "" : String(waiting),
                    text: waiting === null ? "…" : String(waiting) }),
        h("span", { cls: "q-more" }, [
          q && q.waiting ? "最久 " + Math.round(q.longest_wait_s / 60) + " 分钟 longest" : "无人等候 nobody waiting",
          next ? h("span", { cls: "q-next" }, ["下一位 next: ", h("b", { text: next })]) : null
        ])
      ]));
    });
  }

  function currentTicket() {
    var cur = S.wstate && S.wstate.current;
    if (!cur) { return null; }
    return S.ticket && S.ticket.id === cur.id ? S.ticket : { id: cur.id, number: cur.number, status: cur.status, queue: cur.queue };
  }

  // The item the service is for: the ticket's, unless staff chose another (a visitor who took a
  // number for a neighbouring item, or a number taken for a queue with no item): sent as "item".
  function itemCodeOf(t) {
    if (!t) { return null; }
    if (S.itemFor[t.id] === undefined) { S.itemFor[t.id] = load(sessionStorage, "item:" + t.id, null); }
    return S.itemFor[t.id] || t.item || null;
  }

  function itemOf(t) { var code = itemCodeOf(t); return code ? S.items[code] || null : null; }

  function materialsOf(t) {
    var item = itemOf(t);
    return item ? item.guide.materials : [];
  }

  function windowItems() {
    var qs = windowQueues();
    return S.catalog.items.filter(function (i) { return qs.indexOf(i.queue) >= 0; });
  }

  function renderItemChoice(t) {
    var sel = clear($("t-item-select"));
    var code = itemCodeOf(t);
    var items = windowItems();
    if (code && !items.some(function (i) { return i.code === code; }) && S.items[code]) { items.unshift(S.items[code]); }
    if (!code) { sel.appendChild(h("option", { value: "", text: "— 请选择办理事项 Choose the item —" })); }
    items.forEach(function (i) {
      sel.appendChild(h("option", { value: i.code, selected: i.code === code ? true : null,
                                    text: i.code + " " + i.name + (i.code === t.item ? "（取号事项 on the ticket）" : "") }));
    });
    sel.value = code || "";
  }

  function checksOf(t) {
    if (!S.checks[t.id]) { S.checks[t.id] = load(sessionStorage, "checks:" + t.id, {}); }
    return S.checks[t.id];
  }

  function setCheck(t, code, on) {
    var c = checksOf(t);
    c[code] = !!on;
    save(sessionStorage, "checks:" + t.id, c);
  }

  function renderTicket() {
    var t = currentTicket();
    show($("idle"), !t && !S.result);
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
    renderMaterials($("materials"), t, false);
    renderGuide(item);
    tick();
  }

  function renderMaterials(ul, t, compact) {
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

  function renderChecks() {
    var t = currentTicket();
    if (!t) { return; }
    renderMaterials($("materials"), t, false);
    if ($("dlg-finish").open) { renderMaterials($("f-materials-list"), t, true); renderMissing(); }
  }

  function renderGuide(item) {
    var g = clear($("guide"));
    if (!item) { return; }
    var gd = item.guide;
    var limit = gd.time_limit_days === 0 ? "即办 on the spot"
      : gd.time_limit_days + " 个工作日 working days";
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
    $("t-clock").textContent = (t.status === "serving" ? "叫号后 since call " : "已叫 called ") + clock(since);
  }
  setInterval(tick, 1000);

  function renderResult() {
    var box = clear($("result"));
    var r = S.result;
    show(box, !!r);
    if (!r) { return; }
    var o = OUTCOMES[r.outcome] || OUTCOMES.done;
    box.className = "result r-" + r.outcome + (r.warn ? " warn" : "");
    box.appendChild(h("div", { cls: "r-head" }, [
      h("span", { cls: "r-number", text: r.number }),
      h("span", { cls: "r-outcome" }, [bi("已办结·" + o.zh, "Finished: " + o.en)]),
      h("span", { cls: "spacer" }),
      h("button", { type: "button", cls: "link-btn", "aria-label": "关闭 Dismiss",
                    onclick: function () { S.result = null; renderAll(); }, text: "×" })
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
      var doc = { accepted: ["受理单", "acceptance slip"], concluded: ["受理单", "slip"],
                  notice: ["一次性告知书", "one-time notice"], refused: ["不予受理决定书", "decision"] }[r.outcome];
      if (doc && r.print && r.print.ok) {
        box.appendChild(h("p", { cls: "r-print", id: "result-print" },
          [bi(doc[0] + "已送本窗口打印机", "The " + doc[1] + " was sent to this window's printer")]));
      } else if (doc && r.print) {
        box.appendChild(h("p", { cls: "r-warn", id: "result-print" }, [
          bi(doc[0] + "未能打印，请手写或补打：", "The " + doc[1] + " was not printed: "), r.print.error]));
      }
    } else if (r.warn) {
      box.appendChild(h("p", { cls: "r-warn" }, [bi(r.warn[0], r.warn[1])]));
    }
  }

  function renderSuspended() {
    if (document.body.dataset.screen !== "console") { return; }
    var ul = clear($("suspended"));
    var list = S.today ? S.today.suspended : null;
    $("suspended-count").textContent = list && list.length ? String(list.length) : "";
    if (!list) { ul.appendChild(h("li", { cls: "empty", text: "…" })); return; }
    if (!list.length) { ul.appendChild(h("li", { cls: "empty" }, [bi("无", "None")])); return; }
    list.forEach(function (s) {
      ul.appendChild(h("li", { "data-number": s.number, "data-ticket": s.id }, [
        h("span", { cls: "s-number", text: s.number }),
        h("span", { cls: "s-note", text: s.note || "", title: s.note || null }),
        h("button", { type: "button", cls: "small go", onclick: function () { resumeTicket(s); } },
          [bi("回来了", "Back")])
      ]));
    });
  }

  function renderTally() {
    if (document.body.dataset.screen !== "console") { return; }
    var table = clear($("tally"));
    var d = S.today;
    var counts = d ? d.outcomes || {} : {};
    ["accepted", "notice", "refused", "concluded", "consulted", "done", "no_show"].forEach(function (k) {
      var n = k === "no_show" ? (d ? d.no_show : null) : (d ? counts[k] || 0 : null);
      if (k === "done" && !n) { return; }
      table.appendChild(h("tr", { "data-outcome": k }, [
        h("th", {}, [bi(OUTCOMES[k].zh, OUTCOMES[k].en)]), h("td", { text: n === null ? "…" : String(n) })
      ]));
    });
    table.appendChild(h("tr", { cls: "total", "data-outcome": "total" }, [
      h("th", {}, [bi("办结合计", "Finished")]), h("td", { text: d ? String(d.finished) : "…" })
    ]));
    clear($("tally-note")).appendChild(bi("本窗口今日（" + (S.day || "") + "），以服务器记录为准。",
                                         "Today at this window, as the server records it."));
  }

  // -- actions ---------------------------------------------------------------------------------

  var ACTS = {
    next: { zh: "叫号", en: "Call next" }, recall: { zh: "重呼", en: "Recall" },
    start: { zh: "到达办理", en: "Visitor arrived" }, noshow: { zh: "未到", en: "No-show" },
    finish: { zh: "办结", en: "Finish" }, transfer: { zh: "转移", en: "Transfer" },
    suspend: { zh: "挂起", en: "Suspend" }, number: { zh: "特呼", en: "Call a number" },
    pause: { zh: "暂停", en: "Pause" }
  };

  function can(name) {
    if (!S.wstate || !mine()) { return false; }
    var st = S.wstate.status, t = currentTicket(), ts = t ? t.status : null;
    switch (name) {
      case "next": case "number": return st === "open" && !t;
      case "recall": case "start": case "noshow": return ts === "called";
      case "finish": case "transfer": case "suspend": return ts === "called" || ts === "serving";
      case "pause": return st === "open" || st === "paused";
      default: return false;
    }
  }

  function renderActions() {
    Object.keys(ACTS).forEach(function (name) {
      var btn = document.querySelector('[data-act="' + name + '"]');
      if (btn) { btn.disabled = S.busy || !can(name); }
    });
    var paused = S.wstate && S.wstate.status === "paused";
    var p = document.querySelector('[data-act="pause"]');
    clear(p);
    p.appendChild(document.createTextNode(paused ? "恢复 " : "暂停 "));
    p.appendChild(h("span", { cls: "en", text: paused ? "Resume" : "Pause" }));
    p.appendChild(h("kbd", { text: "P" }));
    p.classList.toggle("go", !!paused);
  }

  function caseStatus(c) {
    var label = c.status_label || { zh: c.status || "", en: "" };
    return bi(label.zh, label.en);
  }

  function act(name) {
    if (S.busy) { note("正在处理上一个操作，请稍候。Still working on the previous action.", "info"); return; }
    if (!can(name)) {
      var a = ACTS[name];
      var why = reasonNot(name);
      note("现在不能" + a.zh + (why ? "：" + why[0] : "") + "。" + a.en + " is not possible now" +
           (why ? ": " + why[1] : "") + ".", "info");
      return;
    }
    clearNote();
    if (name === "next") { return run(callNext); }
    if (name === "recall") { return run(function () { return ticketAction("recall"); }); }
    if (name === "start") { return run(function () { return ticketAction("start"); }); }
    if (name === "noshow") { return run(function () { return ticketAction("no-show"); }); }
    if (name === "pause") {
      if (S.wstate.status === "paused") { return run(resumeWindow); }
      return openPause();
    }
    if (name === "finish") { return openFinish(); }
    if (name === "transfer") { return openTransfer(); }
    if (name === "suspend") { return openSuspend(); }
    if (name === "number") { return openNumber(); }
  }

  function reasonNot(name) {
    var st = S.wstate ? S.wstate.status : "";
    var t = currentTicket();
    if (st === "paused" && (name === "next" || name === "number")) { return ["窗口暂停中", "the window is paused"]; }
    if (t && (name === "next" || name === "number")) {
      return [t.number + " 号尚未办结", t.number + " is still at the window"];
    }
    if (!t && name !== "pause") { return ["当前无号码", "no ticket at the window"]; }
    if (t && t.status === "serving" && (name === "recall" || name === "noshow" || name === "start")) {
      return [t.number + " 号正在办理", t.number + " is being served"];
    }
    return null;
  }

  function run(fn) {
    S.busy = true;
    renderActions();
    return Promise.resolve().then(fn).catch(showError).then(function () {
      S.busy = false;
      renderActions();
    });
  }

  function winPath(action) { return "/windows/" + encodeURIComponent(S.win) + "/" + action; }

  function setCurrent(t) {
    S.ticket = t;
    S.wstate.current = { id: t.id, number: t.number, status: t.status, queue: t.queue };
  }

  function callNext() {
    return api("POST", winPath("call-next")).then(function (res) {
      if (res.status === 204) {
        note("暂无等候的群众。Nobody is waiting for this window.", "info");
        return;
      }
      S.result = null;
      setCurrent(res.data.ticket);
      renderAll();
    });
  }

  function ticketAction(action) {
    return api("POST", winPath(action)).then(function (res) {
      var t = res.data.ticket;
      if (t.status === "called" || t.status === "serving") { setCurrent(t); }
      else { released(t); }
      if (action === "no-show") { loadToday(); note(t.number + " 已记为未到。Marked as not come.", "info"); }
      if (action === "recall") { note(t.number + " 已重呼。Called again.", "info"); }
      renderAll();
      return res;
    });
  }

  function released(t) {
    if (S.wstate && S.wstate.current && S.wstate.current.id === t.id) { S.wstate.current = null; }
    S.ticket = null;
  }

  function resumeWindow() {
    return api("POST", winPath("resume")).then(function (res) { applyWindow(res.data.window); });
  }

  function resumeTicket(s) {
    if (S.busy) { return; }
    run(function () {
      return api("POST", winPath("resume-ticket"), { number: s.number }).then(function () {
        note(s.number + " 已回到队首，下次叫号即叫到。Back first in line: the next call calls it.", "info");
        return loadToday();
      }, function (err) {
        // Gone from the server's side (finished elsewhere, cancelled at midnight): the list says so.
        loadToday();
        throw err;
      });
    });
  }

  // -- dialogs ------------------------------------------------------------------------------------

  function openDialog(id, focusId) {
    var d = $(id);
    d.querySelectorAll(".form-msg").forEach(function (m) { m.textContent = ""; });
    if (!d.open) { d.showModal(); }
    if (focusId) { setTimeout(function () { $(focusId).focus(); }, 0); }
    return d;
  }

  function openDialogs() { return document.querySelector("dialog[open]"); }

  document.querySelectorAll("dialog").forEach(function (d) {
    d.addEventListener("click", function (e) {
      if (e.target.closest("[data-close]")) { d.close(); }
    });
    d.addEventListener("close", function () { setTimeout(function () { document.activeElement && document.activeElement.blur(); }, 0); });
    d.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        d.querySelector("form").requestSubmit();
        return;
      }
      // In forms with several fields, Enter moves on rather than finishing half-filled.
      if (e.key === "Enter" && d.dataset.enter !== "submit" && e.target.tagName === "INPUT" &&
          e.target.type !== "submit") {
        e.preventDefault();
        var fields = Array.prototype.filter.call(d.querySelectorAll("input:not([type=radio]):not([type=checkbox]), textarea, select, button[type=submit]"),
          function (el) { return el.offsetParent !== null && !el.disabled; });
        var i = fields.indexOf(e.target);
        if (i >= 0 && fields[i + 1]) { fields[i + 1].focus(); }
      }
    });
  });
  $("dlg-pause").dataset.enter = "submit";
  $("dlg-number").dataset.enter = "submit";

  function formMsg(id, text) { $(id).textContent = text; }

  function submitting(form, fn) {
    var btn = form.querySelector("button[type=submit]");
    if (btn.disabled) { return; }
    btn.disabled = true;
    S.busy = true;
    renderActions();
    Promise.resolve().then(fn).then(function () {
      form.closest("dialog").close();
    }, function (err) {
      if (err instanceof ApiError && err.status === 401) { form.closest("dialog").close(); expire(); return; }
      // The dialog stays open with what was typed, and says plainly what the server answered.
      formMsg(form.querySelector(".form-msg").id, err && err.local ? err.local : describe(err));
    }).then(function () {
      btn.disabled = false;
      S.busy = false;
      renderAll();
    });
  }

  function local(text) { return { local: text }; }

  // pause ---------------------------------------------------------------------------------------

  function openPause() { openDialog("dlg-pause", null); $("pause-form").querySelector("input[name=reason]:checked").focus(); }

  $("pause-other").addEventListener("focus", function () {
    $("pause-form").querySelector("input[value=other]").checked = true;
  });

  $("dlg-pause").addEventListener("keydown", function (e) {
    if (e.target.id === "pause-other" || e.ctrlKey || e.altKey) { return; }
    var radios = $("pause-form").querySelectorAll("input[name=reason]");
    var n = Number(e.key);
    if (n >= 1 && n <= radios.length) {
      e.preventDefault();
      radios[n - 1].checked = true;
      (n === radios.length ? $("pause-other") : radios[n - 1]).focus();
    }
  });

  $("pause-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var chosen = e.target.querySelector("input[name=reason]:checked");
    var reason = chosen.value === "other" ? $("pause-other").value.trim() : chosen.value;
    submitting(e.target, function () {
      if (!reason) { throw local("请填写暂停原因。Please give a reason."); }
      return api("POST", winPath("pause"), { reason: reason }).then(function (res) { applyWindow(res.data.window); });
    });
  });

  $("btn-resume-big").addEventListener("click", function () { act("pause"); });

  // call a number -------------------------------------------------------------------------------

  function openNumber() { $("number-input").value = ""; openDialog("dlg-number", "number-input"); }

  $("number-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var number = HallqId.normalise($("number-input").value);
    submitting(e.target, function () {
      if (!/^[A-Z]{1,3}\d{1,6}$/.test(number)) { throw local("请输入号码，如 A007。Type a number such as A007."); }
      return api("POST", winPath("call-number"), { number: number }).then(function (res) {
        S.result = null;
        setCurrent(res.data.ticket);
      });
    });
  });

  // transfer ------------------------------------------------------------------------------------

  function openTransfer() {
    var t = currentTicket();
    $("transfer-number").textContent = t.number;
    var sel = clear($("transfer-target"));
    var qg = h("optgroup", { label: "转到队列 To a queue" });
    S.catalog.queues.forEach(function (q) {
      qg.appendChild(h("option", { value: "q:" + q.code, text: q.code + " " + q.name + " · " + q.name_en }));
    });
    var wg = h("optgroup", { label: "转到窗口 To a window" });
    S.catalog.windows.forEach(function (w) {
      if (w.id === S.win) { return; }
      var qs = w.queues.map(function (sq) { return sq.queue; }).join("/");
      wg.appendChild(h("option", { value: "w:" + w.id, text: w.name + "（" + qs + "）· " + (w.zone || "") }));
    });
    sel.appendChild(qg); sel.appendChild(wg);
    $("transfer-note").value = "";
    openDialog("dlg-transfer", "transfer-target");
  }

  $("transfer-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var v = $("transfer-target").value;
    var body = { note: $("transfer-note").value.trim() };
    if (v.slice(0, 2) === "q:") { body.queue = v.slice(2); } else { body.window = v.slice(2); }
    submitting(e.target, function () {
      return api("POST", winPath("transfer"), body).then(function (res) {
        var t = res.data.ticket;
        released(t);
        note(t.number + " 已转到 " + (body.queue ? "队列 " + body.queue : (S.windowCat[body.window] || {}).name) +
             "。Transferred.", "info");
      });
    });
  });

  // suspend -------------------------------------------------------------------------------------

  function openSuspend() {
    var t = currentTicket();
    $("suspend-number").textContent = t.number;
    var c = checksOf(t);
    var missing = materialsOf(t).filter(function (m) { return !c[m.code]; }).map(function (m) { return m.name; });
    $("suspend-note").value = missing.length ? "缺：" + missing.join("、") : "";
    openDialog("dlg-suspend", "suspend-note");
  }

  $("suspend-form").addEventListener("submit", function (e) {
    e.preventDefault();
    submitting(e.target, function () {
      return api("POST", winPath("suspend"), { note: $("suspend-note").value.trim() }).then(function (res) {
        var t = res.data.ticket;
        released(t);
        loadToday();
        note(t.number + " 已挂起，回来后点“回来了”。Suspended: press Back when the visitor returns.", "info");
      });
    });
  });

  // finish --------------------------------------------------------------------------------------

  function openFinish() {
    var t = currentTicket();
    if (S.finishFor !== t.id) {
      S.finishFor = t.id;
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
    $("f-applicant-opt").textContent = "生成案件，必填 opens a case: required";
    show($("f-materials"), o === "accepted" || o === "notice" || o === "concluded");
    show($("f-text"), !!o);
    clear($("f-text-label")).appendChild(
      o === "refused" ? bi("不予受理理由（必填）", "Reason (required)")
        : o === "notice" ? bi("告知说明（可选）", "Note to the applicant (optional)")
          : bi("备注（可选）", "Note (optional)"));
    if (t && (o === "accepted" || o === "notice" || o === "concluded")) { renderMaterials($("f-materials-list"), t, true); }
    var item = itemOf(t);
    clear($("f-item")).appendChild(item ? bi("事项：" + item.name, item.code)
      : h("span", { cls: "bad" }, [bi("未选择办理事项：请先在号码卡片上选择", "No item: choose it on the ticket card first")]));
    show($("f-item"), opens);
    renderMissing();
    idHint();
    formMsg("finish-msg", "");
  }

  function renderMissing() {
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
    var d = S.day ? new Date(S.day + "T00:00:00Z") : new Date();
    return d;
  }

  function idHint() {
    var res = HallqId.check($("f-id").value, birthCeiling());
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
    if (n >= 1 && n <= 5) {
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
      if (!o) { throw local("请选择办理结果（1–5）。Choose the outcome (1–5)."); }
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
      if (o === "accepted" || o === "concluded" || o === "notice") { body.materials = received; }
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

  function finished(t, o, data) {
    var tk = data.ticket || t;
    released(tk);
    loadToday();
    var r = { number: tk.number, outcome: o, case: data.case || null, warn: null, print: printInfo(data) };
    if (!data.case && CASE_OUTCOMES.indexOf(o) >= 0) {
      r.warn = ["服务器未返回案件：本次结果已记在号码上，但未生成案件编号，请联系管理员。",
                "The server returned no case: the outcome is on the ticket, but no case number was opened."];
    }
    S.result = r;
    save(sessionStorage, "checks:" + tk.id, null);
    save(sessionStorage, "item:" + tk.id, null);
    delete S.checks[tk.id];
    delete S.itemFor[tk.id];
    S.finishFor = null;
  }

  // `print`: {job, printer, kind, error}. A case stands even when its paper could not be queued.
  function printInfo(data) {
    var p = data.print;
    if (!p) { return null; }
    return { ok: !p.error && !!p.job, printer: p.printer || "", error: p.error || "", job: p.job };
  }

  // -- buttons and keys ----------------------------------------------------------------------------

  document.querySelectorAll("[data-act]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      btn.blur();   // so that Space keeps meaning "call next", not "press the last button again"
      act(btn.dataset.act);
    });
  });

  $("t-item-select").addEventListener("change", function (e) {
    var t = currentTicket();
    if (!t) { return; }
    var code = e.target.value || null;
    S.itemFor[t.id] = code && code !== t.item ? code : null;
    save(sessionStorage, "item:" + t.id, S.itemFor[t.id]);
    renderTicket();
  });

  $("btn-all").addEventListener("click", function () {
    var t = currentTicket();
    materialsOf(t).forEach(function (m) { setCheck(t, m.code, true); });
    renderChecks();
  });
  $("btn-none").addEventListener("click", function () {
    var t = currentTicket();
    materialsOf(t).forEach(function (m) { setCheck(t, m.code, false); });
    renderChecks();
  });
  $("error-close").addEventListener("click", clearNote);

  var KEYS = { F1: "next", " ": "next", r: "recall", s: "start", n: "noshow", f: "finish", t: "transfer",
               h: "suspend", c: "number", p: "pause" };

  function typing(el) {
    if (!el || !el.tagName) { return false; }
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable) { return true; }
    return tag === "INPUT" && ["checkbox", "radio", "button", "submit"].indexOf(el.type) < 0;
  }

  document.addEventListener("keydown", function (e) {
    if (document.body.dataset.screen !== "console" || openDialogs()) { return; }
    if (e.key === "F1") { e.preventDefault(); }          // not the browser's help page
    if (typing(e.target) || e.ctrlKey || e.altKey || e.metaKey) { return; }
    var key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    var name = KEYS[key];
    if (!name) { return; }
    // Space on a focused checkbox or button keeps its own meaning (tick a material, press it).
    if (key === " " && e.target.closest && e.target.closest("input, button, a, label")) { return; }
    e.preventDefault();
    if (e.repeat) { return; }                             // a held key calls once
    act(name);
  });

  // Exposed for tests and for the curious: read-only views of the state.
  window.HallqConsole = { state: S };

  boot();
})();
