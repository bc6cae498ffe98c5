// The HallQ kiosk: departments → service items → the item's guide (article 7) → take a number.
// Rule of this page: it shows a number only when the server answered 201 with that ticket.
// Anything else (409 outside hours or for a queue no window serves, 401 bad key, no network)
// is explained in Chinese and English, and no number appears.
(function () {
  "use strict";

  var global = window;
  var KEY_STORE = "hallq.kiosk.key";
  var RESULT_IDLE_S = 30;     // the result screen goes back to the start after this long untouched
  var IDLE_S = 90;            // any other screen after this long (a visitor who walked away)
  var REQUEST_TIMEOUT_MS = 10000;

  var T = {
    zh: {
      pair_title: "本机尚未配对",
      pair_body: "请工作人员输入本取号机的设备密钥。密钥由服务器上的以下命令生成：",
      pair_label: "设备密钥",
      pair_submit: "配对",
      pair_refused: "密钥无效或已停用，请重新输入。",
      home_title: "请选择办理部门",
      search_all: "搜索办理事项",
      loading: "正在加载…",
      back: "返回",
      search_label: "搜索事项名称",
      search_hint: "输入事项名称中的字词，如：营业执照",
      clear: "清除",
      no_match: "没有找到匹配的事项，请换个词试试或咨询服务台。",
      all_items: "全部办理事项",
      items_count: "{n} 项事项",
      waiting: "等候 {n} 人",
      unserved: "暂无窗口办理",
      time_limit: "承诺时限",
      fee: "收费",
      materials: "需要携带的材料",
      conditions: "办理条件",
      no_materials: "无需携带材料，请咨询窗口。",
      on_the_spot: "当场办结",
      days: "{n} 个工作日",
      day: "1 个工作日",
      free: "不收费",
      take: "取号",
      green_btn: "绿色通道取号",
      green_hint: "老年人、残疾人、军人、孕妇可选择绿色通道",
      take_disabled: "服务器未连接，暂时不能取号",
      waiting_now: "当前等候 {n} 人",
      green_title: "绿色通道",
      green_lead: "请选择适用的情形，将为您优先安排办理：",
      r_elderly: "老年人",
      r_disabled: "残疾人",
      r_military: "军人",
      r_pregnant: "孕妇",
      green_verify: "请在窗口出示相关证件，由工作人员核验。",
      busy: "正在取号，请稍候…",
      your_number: "您的号码",
      ahead_label: "前面等候",
      wait_label: "预计等待",
      people: "{n} 人",
      minutes: "约 {n} 分钟",
      very_soon: "即将叫号",
      wait_unknown: "暂无窗口办理，等待时间未知",
      green_tag: "绿色通道 · {r}",
      qr_hint: "手机扫码，随时查看排队进度",
      keep: "请妥善保管号票，或拍照留存本页",
      keep_printed: "请取走打印的号票，妥善保管",
      keep_no_printer: "本机不打印号票：请拍照留存本页，或用手机扫码",
      keep_printer_out: "打印机暂时无法出票：请拍照留存本页，或用手机扫码",
      done: "完成",
      countdown: "{n} 秒后自动返回首页",
      back_guide: "返回上一步",
      home: "回到首页",
      qr_alt: "号票二维码：{url}"
    },
    en: {
      pair_title: "This kiosk is not paired",
      pair_body: "Staff: enter this kiosk's device key. The server prints it with this command:",
      pair_label: "Device key",
      pair_submit: "Pair",
      pair_refused: "The key is unknown or revoked. Please enter it again.",
      home_title: "Choose a department",
      search_all: "Search services",
      loading: "Loading…",
      back: "Back",
      search_label: "Search service names",
      search_hint: "Type part of the name, e.g. licence",
      clear: "Clear",
      no_match: "No matching service. Try another word or ask at the information desk.",
      all_items: "All services",
      items_count: "{n} services",
      waiting: "{n} waiting",
      unserved: "No window open",
      time_limit: "Promised time limit",
      fee: "Fee",
      materials: "Materials to bring",
      conditions: "Conditions",
      no_materials: "No materials listed; please ask at the window.",
      on_the_spot: "Done on the spot",
      days: "{n} working days",
      day: "1 working day",
      free: "Free of charge",
      take: "Take a number",
      green_btn: "Green channel",
      green_hint: "For senior citizens, people with disabilities, military personnel and pregnant women",
      take_disabled: "Not connected to the server: numbers cannot be taken now",
      waiting_now: "{n} people waiting now",
      green_title: "Green channel",
      green_lead: "Choose what applies to you; you will be served with priority:",
      r_elderly: "Senior citizen",
      r_disabled: "Person with a disability",
      r_military: "Military personnel",
      r_pregnant: "Pregnant woman",
      green_verify: "Please show proof at the window; staff will verify it.",
      busy: "Taking your number, please wait…",
      your_number: "Your number",
      ahead_label: "People ahead",
      wait_label: "Estimated wait",
      people: "{n}",
      minutes: "About {n} min",
      very_soon: "Very soon",
      wait_unknown: "No window is serving this now; waiting time unknown",
      green_tag: "Green channel · {r}",
      qr_hint: "Scan with your phone to follow your turn",
      keep: "Keep your ticket, or take a photo of this screen",
      keep_printed: "Please take your printed ticket and keep it",
      keep_no_printer: "This kiosk prints no ticket: take a photo of this screen or scan the code",
      keep_printer_out: "The printer cannot print now: take a photo of this screen or scan the code",
      done: "Done",
      countdown: "Back to the start in {n} s",
      back_guide: "Back",
      home: "Start again",
      qr_alt: "QR code of the ticket: {url}"
    }
  };

  // Errors are always shown in both languages: the visitor may have switched either way.
  var ERRORS = {
    not_issuing: ["暂时不能取号", "No number can be issued now",
                  "本次没有取号。原因如下：", "No number was issued. The reason:"],
    unauthorized: ["本机未授权取号", "This kiosk is not authorised",
                   "没有取号。请联系工作人员重新配对本机。", "No number was issued. Please ask staff to pair this kiosk again."],
    forbidden: ["本设备不是取号机", "This device is not registered as a kiosk",
                "没有取号。请联系工作人员用取号机密钥配对。", "No number was issued. Please ask staff to pair it with a kiosk key."],
    not_found: ["该事项暂不能取号", "This service cannot be chosen now",
                "没有取号。事项目录已更新，请重新选择。", "No number was issued. The list of services changed; please choose again."],
    network: ["网络故障，没有取到号", "Network problem: no number was issued",
              "未能连接服务器。请稍后重试，或咨询服务台工作人员。",
              "The server could not be reached. Please try again later or ask the staff at the information desk."],
    server: ["服务器暂时无法取号", "The server could not issue a number",
             "没有取号。请稍后重试，或咨询服务台工作人员。",
             "No number was issued. Please try again later or ask the staff at the information desk."]
  };

  var state = {
    lang: "zh",
    key: null,
    live: null,
    online: false,
    unreachable: false, // the connection failed (not merely "still connecting"): show the banner
    catalog: null,
    depts: {},          // code → department
    queues: {},         // code → queue_view from the hall room (waiting, unserved)
    screen: null,
    dept: null,         // chosen department code, or null for "all" (search)
    item: null,         // chosen item
    ticket: null,       // the ticket the server issued, while the result screen shows it
    pending: null,      // {press, id}: the request key of a press whose answer has not come yet
    deviceName: null,   // this kiosk's device name (from /api/v1/devices/me)
    printerStatus: null, // its printer's last reported status
    error: null,
    busy: false,
    lastActive: Date.now()
  };

  var $ = function (id) { return document.getElementById(id); };

  function t(key, vars) {
    var s = T[state.lang][key];
    if (s === undefined) { s = T.zh[key] || key; }
    Object.keys(vars || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
    return s;
  }

  function el(tag, cls, text, lang) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (lang) { e.lang = lang; }
    return e;
  }

  function name(obj) { return state.lang === "en" ? (obj.name_en || obj.name) : obj.name; }
  function nameLang(obj) { return state.lang === "en" && obj.name_en ? "en" : "zh-CN"; }

  // -- pairing ------------------------------------------------------------------------------

  function storage(op, value) {
    try {
      if (op === "get") { return global.localStorage.getItem(KEY_STORE); }
      if (op === "set") { global.localStorage.setItem(KEY_STORE, value); }
      if (op === "del") { global.localStorage.removeItem(KEY_STORE); }
    } catch (e) { /* storage disabled: the key lives for this page only */ }
    return null;
  }
  var global = window;

  // ?key=KEY is accepted once: stored, then removed from the address bar and the history.
  function readKey() {
    var params = new URLSearchParams(location.search);
    var fromUrl = (params.get("key") || "").trim();
    if (fromUrl) {
      storage("set", fromUrl);
      params.delete("key");
      var rest = params.toString();
      history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
      return fromUrl;
    }
    return storage("get");
  }

  function stopLive() {
    var live = state.live;
    state.live = null;          // first: the closing socket's own events are then ignored
    if (live) { live.stop(); }
  }

  function pair(key, refusedMessage) {
    stopLive();
    state.key = key;
    if (!key) {
      storage("del");
      showPair(refusedMessage);
      return;
    }
    var live = new global.HallqLive({
      rooms: ["hall"],
      auth: { device_key: key },
      onSnapshot: function (ack) {
        if (state.live !== live) { return; }
        state.queues = {};
        ((ack.hall && ack.hall.queues) || []).forEach(function (q) { state.queues[q.code] = q; });
        renderCounts();
      },
      onEvent: function (name, data) {
        if (state.live === live && name === "queue.updated" && data.queue) {
          state.queues[data.queue.code] = data.queue;
          renderCounts();
        }
        if (state.live === live && name === "printer.updated" && data.printer &&
            (data.printer.devices || []).indexOf(state.deviceName) >= 0) {
          setPrinter(data.printer.status);
        }
      },
      onStatus: function (status, message) {
        if (state.live !== live) { return; }
        // The server refused the connection itself (socket.io stops retrying then): the key is
        // unknown or revoked. A network failure keeps the socket active and retrying.
        var socket = live.socket;
        if (status === "offline" && ((socket && !socket.active) || /device key/i.test(message || ""))) {
          pair(null, true);
          return;
        }
        var wasOnline = state.online;
        setOnline(status === "live", status === "offline" || status === "error");
        if (status === "live" && !wasOnline) { loadCatalog(); }
      }
    });
    state.live = live;
    live.start();
    // Which device this is, so the kiosk can tell its own printer's reports from the others'.
    fetch("/api/v1/devices/me", { cache: "no-store", headers: { "X-Device-Key": key } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (me) { if (me && me.device && state.live === live) { state.deviceName = me.device.name; } })
      .catch(function () { /* the live connection reports a dead server */ });
  }

  function setPrinter(status) {
    state.printerStatus = status;
    $("printer-out").hidden = !(status === "offline" || status === "paper_out");
  }

  function showPair(refused) {
    setOnline(false, false);
    $("pair-error").hidden = !refused;
    $("pair-error").textContent = refused ? T.zh.pair_refused + " " + T.en.pair_refused : "";
    show("pair");
    $("pair-key").value = "";
  }

  // -- connection ---------------------------------------------------------------------------

  function setOnline(online, unreachable) {
    state.online = online;
    state.unreachable = !online && unreachable;
    document.body.classList.toggle("is-offline", !online);
    renderBanner();
    ["take", "green"].forEach(function (id) { $(id).disabled = !online; });
    Array.prototype.forEach.call(document.querySelectorAll(".btn-reason"), function (b) { b.disabled = !online; });
    $("take-disabled").hidden = online;
    $("green-disabled").hidden = online;
  }

  function loadCatalog() {
    fetch("/api/v1/catalog", { cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error("catalog " + r.status); } return r.json(); })
      .then(function (catalog) {
        state.catalog = catalog;
        state.depts = {};
        catalog.departments.forEach(function (d) { state.depts[d.code] = d; });
        $("catalog-loading").hidden = true;
        renderHome();
        if (state.screen === "items") { renderItems(); }
      })
      .catch(function () {
        if (!state.catalog) { setTimeout(loadCatalog, 3000); }
      });
  }

  // -- screens ------------------------------------------------------------------------------

  function show(screen) {
    Array.prototype.forEach.call(document.querySelectorAll(".screen"), function (s) {
      s.hidden = s.id !== "screen-" + screen;
    });
    state.screen = screen;
    state.lastActive = Date.now();
    renderBanner();
    $("main").scrollTop = 0;
  }

  function renderBanner() {
    $("offline").hidden = !state.unreachable || state.screen === "pair";
  }

  function goHome() {
    state.dept = null;
    state.item = null;
    state.ticket = null;
    state.error = null;
    $("search").value = "";
    show(state.key ? "home" : "pair");
    setLang("zh");
  }

  function itemsOf(deptCode) {
    if (!state.catalog) { return []; }
    return state.catalog.items.filter(function (i) { return deptCode === null || i.department === deptCode; });
  }

  function queueWaiting(code) {
    var q = state.queues[code];
    return q ? q : null;
  }

  function renderHome() {
    var box = $("departments");
    box.textContent = "";
    if (!state.catalog) { return; }
    state.catalog.departments.forEach(function (d) {
      var items = itemsOf(d.code);
      if (!items.length) { return; }   // a department that takes part in joint items only
      var b = el("button", "btn btn-dept");
      b.type = "button";
      b.dataset.dept = d.code;
      b.appendChild(el("span", "dept-name", name(d), nameLang(d)));
      var meta = el("span", "dept-meta");
      meta.appendChild(el("span", "", t("items_count", { n: items.length })));
      var waiting = el("span", "count");
      waiting.dataset.deptCount = d.code;
      meta.appendChild(waiting);
      b.appendChild(meta);
      b.addEventListener("click", function () { openDept(d.code); });
      box.appendChild(b);
    });
    renderCounts();
  }

  function openDept(code) {
    state.dept = code;
    $("search").value = "";
    renderItems();
    show("items");
  }

  function matches(item, q) {
    if (!q) { return true; }
    return item.name.toLowerCase().indexOf(q) >= 0 ||
      (item.name_en || "").toLowerCase().indexOf(q) >= 0 ||
      item.code.toLowerCase() === q;
  }

  function renderItems() {
    var d = state.dept ? state.depts[state.dept] : null;
    $("items-title").textContent = d ? name(d) : t("all_items");
    $("items-title").lang = d ? nameLang(d) : (state.lang === "en" ? "en" : "zh-CN");
    var q = $("search").value.trim().toLowerCase();
    $("search-clear").hidden = !q;
    var box = $("items");
    box.textContent = "";
    var shown = 0;
    itemsOf(state.dept).forEach(function (item) {
      if (!matches(item, q)) { return; }
      shown += 1;
      var b = el("button", "btn btn-item");
      b.type = "button";
      b.dataset.item = item.code;
      b.appendChild(el("span", "item-name", name(item), nameLang(item)));
      var meta = el("span", "item-meta");
      if (!state.dept && state.depts[item.department]) {
        meta.appendChild(el("span", "item-dept", name(state.depts[item.department]), nameLang(state.depts[item.department])));
      }
      var count = el("span", "count");
      count.dataset.queueCount = item.queue;
      meta.appendChild(count);
      b.appendChild(meta);
      b.addEventListener("click", function () { openItem(item); });
      box.appendChild(b);
    });
    $("items-empty").hidden = shown > 0;
    renderCounts();
  }

  function countText(q) {
    if (!q) { return ""; }
    if (q.unserved) { return t("unserved"); }
    return t("waiting", { n: q.waiting });
  }

  // Live waiting counts on every visible button, from the hall room.
  function renderCounts() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-queue-count]"), function (e) {
      var q = queueWaiting(e.dataset.queueCount);
      e.textContent = countText(q);
      e.classList.toggle("count-unserved", !!(q && q.unserved));
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-dept-count]"), function (e) {
      var seen = {}, total = 0, known = false;
      itemsOf(e.dataset.deptCount).forEach(function (i) {
        if (seen[i.queue]) { return; }
        seen[i.queue] = true;
        var q = queueWaiting(i.queue);
        if (q) { known = true; total += q.waiting; }
      });
      e.textContent = known ? t("waiting", { n: total }) : "";
    });
    if (state.item) {
      var q = queueWaiting(state.item.queue);
      $("guide-waiting").textContent = q ? (q.unserved ? t("unserved") : t("waiting_now", { n: q.waiting })) : "";
      $("guide-waiting").classList.toggle("count-unserved", !!(q && q.unserved));
    }
  }

  function openItem(item) {
    state.item = item;
    renderGuide();
    show("guide");
  }

  function renderGuide() {
    var item = state.item;
    if (!item) { return; }
    var d = state.depts[item.department];
    $("guide-title").textContent = name(item);
    $("guide-title").lang = nameLang(item);
    $("green-item").textContent = name(item);
    $("green-item").lang = nameLang(item);
    $("guide-dept").textContent = d ? name(d) : "";
    var g = item.guide;
    $("guide-limit").textContent = g.time_limit_days === 0 ? t("on_the_spot")
      : g.time_limit_days === 1 ? t("day") : t("days", { n: g.time_limit_days });
    // The guide's fee is written in Chinese; the common "no fee" is said in the visitor's language.
    var free = g.fee === T.zh.free;
    $("guide-fee").textContent = free ? t("free") : (g.fee || "—");
    $("guide-fee").lang = free && state.lang === "en" ? "en" : "zh-CN";
    var list = $("guide-materials");
    list.textContent = "";
    g.materials.forEach(function (m) {
      var li = el("li", "material");
      li.appendChild(el("span", "material-name", name(m), nameLang(m)));
      var extra = [m.copies, m.note].filter(Boolean).join("；");
      if (extra) { li.appendChild(el("span", "material-note", extra, "zh-CN")); }
      list.appendChild(li);
    });
    if (!g.materials.length) { list.appendChild(el("li", "material", t("no_materials"))); }
    $("guide-conditions").textContent = g.conditions || "—";
    $("guide-conditions").lang = "zh-CN";
    renderCounts();
  }

  // -- taking a number ----------------------------------------------------------------------

  function take(reason) {
    if (!state.online || state.busy || !state.item) { return; }
    state.busy = true;
    show("busy");
    var body = { item: state.item.code };
    if (reason) { body.priority = "green"; body.green_reason = reason; }
    // One key per press, kept until the server answers: if the answer is lost (network, time-out)
    // and the visitor tries again, the server returns the ticket it already made, not a second one.
    var press = reason ? state.item.code + "|" + reason : state.item.code;
    if (!state.pending || state.pending.press !== press) { state.pending = { press: press, id: requestId() }; }
    body.request_id = state.pending.id;
    var ctrl = typeof AbortController === "function" ? new AbortController() : null;
    var timer = setTimeout(function () { if (ctrl) { ctrl.abort(); } }, REQUEST_TIMEOUT_MS);
    fetch("/api/v1/tickets", {
      method: "POST",
      cache: "no-store",
      headers: { "Content-Type": "application/json", "X-Device-Key": state.key },
      body: JSON.stringify(body),
      signal: ctrl ? ctrl.signal : undefined
    })
      .then(function (r) {
        return r.json().catch(function () { return null; }).then(function (data) { return { status: r.status, data: data }; });
      })
      .then(function (res) {
        var tk = res.data && res.data.ticket;
        state.pending = null;
        if (res.status === 201 && tk && typeof tk.number === "string" && tk.number && typeof tk.id === "string") {
          showResult(tk);
        } else {
          showError(res.status, res.data && res.data.error);
        }
      })
      .catch(function () { showError(0, null); })
      .then(function () { clearTimeout(timer); state.busy = false; });
  }

  function requestId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function showError(status, error) {
    var kind;
    if (status === 0) { kind = "network"; }
    else if (status === 409) { kind = "not_issuing"; }
    else if (status === 401) { kind = "unauthorized"; }
    else if (status === 403) { kind = "forbidden"; }
    else if (status === 404) { kind = "not_found"; loadCatalog(); }
    else { kind = "server"; }
    var e = ERRORS[kind];
    state.error = { kind: kind, status: status };
    $("error-title").textContent = e[0];
    $("error-title-en").textContent = e[1];
    $("error-body").textContent = e[2];
    $("error-body-en").textContent = e[3];
    // The server's own words when it gave any: a refusal says "中文 / English", one line each.
    var detail = $("error-detail");
    detail.textContent = "";
    var message = error && error.message && kind !== "server" ? String(error.message) : "";
    message.split(" / ").forEach(function (part, i) {
      detail.appendChild(el("span", "error-detail-line", part, i === 0 ? "zh-CN" : "en"));
    });
    detail.hidden = !message;
    $("error-back").hidden = !state.item || kind === "unauthorized" || kind === "forbidden";
    show("error");
    if (kind === "unauthorized") {
      // The key was revoked: forget it, so the next screen is the pairing screen, not a dead end.
      stopLive();
      state.key = null;
      storage("del");
      setOnline(false, false);
    }
  }

  function showResult(ticket) {
    state.ticket = ticket;
    renderResult();
    show("result");
    renderCountdown();
  }

  function waitText(tk) {
    if (tk.warning || tk.unserved || tk.estimated_wait_s === null || tk.estimated_wait_s === undefined) {
      return t("wait_unknown");
    }
    if (tk.ahead === 0 || tk.estimated_wait_s < 60) { return t("very_soon"); }
    return t("minutes", { n: Math.round(tk.estimated_wait_s / 60) });
  }

  function renderResult() {
    var tk = state.ticket;
    if (!tk) { return; }
    $("result-number").textContent = tk.number;
    var item = state.catalog && state.catalog.items.filter(function (i) { return i.code === tk.item; })[0];
    var itemName = state.lang === "en" ? (tk.item_name_en || tk.item_name) : tk.item_name;
    $("result-item").textContent = itemName || (state.lang === "en" ? tk.queue_name_en : tk.queue_name);
    var d = state.depts[tk.department || (item && item.department)];
    $("result-dept").textContent = d ? name(d) : "";
    $("result-ahead").textContent = t("people", { n: tk.ahead });
    var w = waitText(tk);
    $("result-wait").textContent = w;
    $("result-wait").classList.toggle("unknown", w === t("wait_unknown"));
    $("result-warning").hidden = !tk.warning;
    $("result-warning").textContent = tk.warning || "";
    var green = tk.priority === "green";
    $("result-green").hidden = !green;
    $("result-green").textContent = green ? t("green_tag", { r: t("r_" + (tk.green_reason || "elderly")) }) : "";
    if (green && !tk.green_reason) { $("result-green").textContent = t("green_title"); }
    // Whether paper comes out decides what the visitor must do to keep the number (issue 3, 4).
    var printer = tk.print && tk.print.printer_status;
    if (tk.print && printer === "unknown" && state.printerStatus) { printer = state.printerStatus; }
    if (tk.print && printer !== "unknown") { setPrinter(printer); }
    var keep = !tk.print ? "keep_no_printer"
      : (printer === "offline" || printer === "paper_out") ? "keep_printer_out"
        : printer === "online" || printer === "paper_near_end" ? "keep_printed" : "keep";
    $("keep").textContent = t(keep);
    $("keep").classList.toggle("keep-alert", keep === "keep_printer_out" || keep === "keep_no_printer");
    var src = "/t/" + encodeURIComponent(tk.id) + "/qr.svg";
    if ($("result-qr").getAttribute("src") !== src) { $("result-qr").setAttribute("src", src); }
    $("result-qr").alt = t("qr_alt", { url: tk.status_url });
  }

  // -- language -----------------------------------------------------------------------------

  function setLang(lang) {
    state.lang = lang;
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    $("lang-zh").setAttribute("aria-pressed", String(lang === "zh"));
    $("lang-en").setAttribute("aria-pressed", String(lang === "en"));
    Array.prototype.forEach.call(document.querySelectorAll("[data-t]"), function (e) {
      e.textContent = t(e.dataset.t);
    });
    $("search").placeholder = t("search_hint");
    renderHome();
    if (state.screen === "items") { renderItems(); }
    if (state.item) { renderGuide(); }
    if (state.ticket) { renderResult(); }
    renderCountdown();
  }

  // -- idle and clock -----------------------------------------------------------------------

  function idleSeconds() { return (Date.now() - state.lastActive) / 1000; }

  function renderCountdown() {
    var left = Math.max(0, Math.ceil(RESULT_IDLE_S - idleSeconds()));
    $("countdown").textContent = t("countdown", { n: left });
    return left;
  }

  // The hall's own time zone, whatever the kiosk PC is set to.
  var clockFormat = (function () {
    try {
      return new Intl.DateTimeFormat("zh-CN", {
        hour: "2-digit", minute: "2-digit", hour12: false, timeZone: document.body.dataset.timezone || undefined
      });
    } catch (e) {
      return new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false });
    }
  })();

  function tick() {
    $("clock").textContent = clockFormat.format(new Date());
    if (state.screen === "result") {
      if (renderCountdown() <= 0) { goHome(); }
    } else if (["items", "guide", "green", "error"].indexOf(state.screen) >= 0 && idleSeconds() > IDLE_S) {
      goHome();
    }
  }

  // -- wiring -------------------------------------------------------------------------------

  function wire() {
    ["pointerdown", "keydown", "input"].forEach(function (ev) {
      document.addEventListener(ev, function () { state.lastActive = Date.now(); }, true);
    });
    $("lang-zh").addEventListener("click", function () { setLang("zh"); });
    $("lang-en").addEventListener("click", function () { setLang("en"); });
    Array.prototype.forEach.call(document.querySelectorAll("[data-go]"), function (b) {
      b.addEventListener("click", function () {
        var to = b.dataset.go;
        if (to === "home") { goHome(); }
        else if (to === "departments") { state.dept = null; $("search").value = ""; show("home"); }
        else if (to === "items") { renderItems(); show("items"); }
        else if (to === "guide") { show("guide"); }
      });
    });
    $("search-all").addEventListener("click", function () { openDept(null); $("search").focus(); });
    $("search").addEventListener("input", renderItems);
    $("search-clear").addEventListener("click", function () { $("search").value = ""; renderItems(); $("search").focus(); });
    $("take").addEventListener("click", function () { take(null); });
    $("green").addEventListener("click", function () { show("green"); });
    Array.prototype.forEach.call(document.querySelectorAll(".btn-reason"), function (b) {
      b.addEventListener("click", function () { take(b.dataset.reason); });
    });
    $("done").addEventListener("click", goHome);
    $("error-back").addEventListener("click", function () { show(state.item ? "guide" : "home"); });
    $("pair-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var key = $("pair-key").value.trim();
      if (!key) { return; }
      storage("set", key);
      pair(key);
      goHome();
    });
    setInterval(tick, 1000);
  }

  wire();
  setLang("zh");
  tick();
  var key = readKey();
  if (key) {
    pair(key);
    show("home");
  } else {
    showPair(false);
  }
  loadCatalog();
})();
