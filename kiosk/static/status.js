// The visitor's phone: one ticket, followed live (room ticket:ID, which also brings its queue's
// progress). The page starts from the state the server rendered, then applies the subscribe
// snapshot and only newer events; it resubscribes on reconnect and whenever the phone wakes.
// Written in ES5 so that old phones' browsers run it too. Its calls go to the hall the page was
// served for (window.hallqBase, from hallq-live.js loaded before it).
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("page-data").textContent);
  var ticket = data.ticket;
  var windows = data.windows || {};
  var id = ticket.id;
  var live = null;
  var alertedKey = callKey(ticket);   // a call already on screen when the page opened: no sound
  var audio = null;
  var soundOn = false;

  function $(x) { return document.getElementById(x); }

  function callKey(t) {
    return t.status === "called" ? [t.called_at, t.window, t.recalls].join("|") : "";
  }

  function windowNames(windowId, t) {
    var w = windows[windowId] || {};
    var isCurrent = t && t.window === windowId;
    return {
      zh: (isCurrent && t.window_name) || w.name || (windowId + "号窗口"),
      en: (isCurrent && t.window_name_en) || w.name_en || ("Window " + windowId)
    };
  }

  // -- what the ticket's status means to the visitor -----------------------------------------

  function stateWords(t) {
    var w;
    switch (t.status) {
      case "waiting":
        // Article 26: nobody would call this ticket now; say so first, and where to ask.
        if (t.unserved) {
          return ["暂无窗口办理，请咨询大厅服务台",
                  "No window is serving this queue now; please ask at the information desk"];
        }
        if (t.target_window) {
          w = windowNames(t.target_window, t);
          return ["排队等候中，请留意" + w.zh + "叫号", "Waiting: you will be called to " + w.en];
        }
        return ["排队等候中", "Waiting in line"];
      case "called":
        return ["正在呼叫您", "You are being called"];
      case "serving":
        w = windowNames(t.window, t);
        return ["正在" + w.zh + "办理", "Being served at " + w.en];
      case "done":
        return ["办理完毕，感谢您的耐心等待", "Service finished. Thank you for your patience."];
      case "no_show":
        return ["已过号：叫号时您未到窗口。如需办理，请到服务台咨询。",
                "Missed: you were not at the window when called. Please ask at the information desk."];
      case "cancelled":
        return ["此号已作废。如需办理，请重新取号或咨询服务台。",
                "This ticket has been cancelled. Take a new number or ask at the information desk."];
      case "suspended":
        if (!t.target_window) {
          // The window that suspended the visitor has closed since: any window of the queue resumes.
          return ["暂停办理：准备好后请到大厅服务台或本业务窗口，工作人员将为您恢复排队。",
                  "On hold: when you are ready, ask at the information desk or a window of this service to rejoin the line."];
        }
        w = windowNames(t.target_window, t);
        return ["暂停办理：准备好后请回到" + w.zh + "，工作人员将为您继续办理。",
                "On hold: when you are ready, go back to " + w.en + " to continue."];
      default:
        return [t.status, t.status];
    }
  }

  // The console's pause reasons in English; a reason typed otherwise keeps its Latin part, if any.
  var PAUSE_EN = { "午休": "lunch", "会议": "a meeting", "暂时离开": "stepped away" };

  function reasonEn(r) {
    return PAUSE_EN[r] || r.replace(/[^\x20-\x7e]+/g, " ").replace(/\s+/g, " ").trim();
  }

  // Article 26's other half: the wait is unknown because the windows that would call this ticket
  // are paused, not gone; the visitor should know it will move again, and why it does not now.
  function pausedWords(t) {
    var list = t.status === "waiting" && !t.unserved && !window.HallqWait.words(t) ? (t.paused_windows || []) : [];
    if (!list.length) { return null; }
    var zh = [], en = [];
    list.forEach(function (w) {
      var r = (w.reason || "").trim();
      if (r && zh.indexOf(r) < 0) { zh.push(r); }
      var e = r && reasonEn(r);
      if (e && en.indexOf(e) < 0) { en.push(e); }
    });
    var one = list.length === 1;
    var name = one ? windowNames(list[0].id, t) : null;
    var nameZh = one ? (list[0].name || name.zh) : "本业务窗口";
    var nameEn = one ? (list[0].name_en || name.en) : "The windows of this service";
    return [nameZh + "暂停服务" + (zh.length ? "（" + zh.join("、") + "）" : "") + "，恢复后开始叫号",
            nameEn + (one ? " is" : " are") + " paused" + (en.length ? " (" + en.join(", ") + ")" : "") +
            "; calling resumes when " + (one ? "it is" : "one is") + " back"];
  }

  function waitWords(t) {
    // The status line above says why (no window serves the queue); no number is invented here.
    // The range and its words: wait.js (issue 13).
    return window.HallqWait.words(t) || ["未知", "Unknown"];
  }

  // -- rendering ------------------------------------------------------------------------------

  function render() {
    var t = ticket;
    $("number").textContent = t.number;
    $("green").hidden = t.priority !== "green";
    $("appt").hidden = t.priority !== "appointment";
    $("appt-slot").textContent = t.appointment && t.appointment.start ? hallTime(new Date(t.appointment.start)) : "";
    $("item").textContent = t.item_name || t.queue_name || "";
    $("item-en").textContent = t.item_name_en || t.queue_name_en || "";
    var words = stateWords(t);
    $("state-zh").textContent = words[0];
    $("state-en").textContent = words[1];
    document.body.setAttribute("data-status", t.status);

    var waiting = t.status === "waiting";
    $("waiting").hidden = !waiting;
    if (waiting) {
      $("ahead").textContent = String(t.ahead);
      $("ahead-unit").textContent = " 人";
      var ww = waitWords(t);
      $("wait").textContent = ww[0];
      $("wait-en").textContent = ww[1];
      $("wait").className = "fact-value" + (ww[1] === "Unknown" ? " unknown" : "");
    }
    var paused = pausedWords(t);
    $("wait-reason").hidden = !paused;
    $("wait-reason-zh").textContent = paused ? paused[0] : "";
    $("wait-reason-en").textContent = paused ? paused[1] : "";

    // Nothing will call this ticket any more: no alert to switch on, no papers to bring.
    var over = t.status === "done" || t.status === "no_show" || t.status === "cancelled";
    $("sound").hidden = over;
    $("materials-card").hidden = over;

    var called = t.status === "called";
    $("call").hidden = !called;
    if (called) {
      var w = windowNames(t.window, t);
      $("call-window").textContent = w.zh;
      $("call-window-en").textContent = w.en;
      $("call-recall").hidden = !(t.recalls > 0);
      document.title = "请到" + w.zh + "办理 · " + t.number;
    } else {
      document.title = t.number + " · " + words[0];
    }

    var note = (t.status === "cancelled" || t.status === "no_show" || t.status === "suspended") && t.note;
    $("note").hidden = !note;
    $("note").textContent = note || "";

    renderRating();

    // Article 21: the case this visit opened, live when it opens while the page is open.
    var caseLink = $("case-link");
    caseLink.hidden = !t.case_url;
    if (t.case_url) { caseLink.href = t.case_url; }

    var key = callKey(t);
    if (key && key !== alertedKey) {
      alertedKey = key;
      alertVisitor();
    }
  }

  // 好差评: the form once the service is done; "thank you" once rated, here or on the pad.
  var rating = data.rating || null;
  var ratingForm = null;
  var ratingDone = rating && rating.rated ? "already" : null;

  function renderRating() {
    var box = $("rating");
    if (!box || !rating || !window.HallqRatingForm) { return; }
    box.hidden = ticket.status !== "done" || rating.forced;
    if (box.hidden) { return; }
    var body = $("rating-body");
    if (ratingDone) { window.HallqRatingForm.thanks(body, ratingDone); return; }
    if (!ratingForm) {
      ratingForm = new window.HallqRatingForm(body, {
        levels: rating.levels, tags: rating.tags, comment: true,
        post: window.HallqRatingForm.post(window.hallqBase() + "/api/v1/tickets/" + encodeURIComponent(id) + "/rating"),
        onDone: function (kind) { ratingDone = kind; renderRating(); }
      });
    }
  }

  function renderMaterials(list) {
    var ol = $("materials");
    ol.textContent = "";
    (list || []).forEach(function (m) {
      var li = document.createElement("li");
      var zh = document.createElement("span");
      zh.className = "m-name";
      zh.textContent = m.name;
      li.appendChild(zh);
      if (m.name_en) {
        var en = document.createElement("span");
        en.className = "m-en";
        en.lang = "en";
        en.textContent = m.name_en;
        li.appendChild(en);
      }
      var extra = [m.copies, m.note].filter(Boolean).join("；");
      if (extra) {
        var ex = document.createElement("span");
        ex.className = "m-note";
        ex.textContent = extra;
        li.appendChild(ex);
      }
      ol.appendChild(li);
    });
    $("materials-none").hidden = (list || []).length > 0;
  }

  // The item's guide comes from the catalogue (article 7); the server rendered it for the
  // first item, and a transfer that names another item fetches it again.
  function loadMaterials(itemCode) {
    if (!itemCode) { renderMaterials([]); return; }
    fetch(window.hallqBase() + "/api/v1/catalog", { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (catalog) {
        var item = catalog && catalog.items.filter(function (i) { return i.code === itemCode; })[0];
        if (item) { renderMaterials(item.guide.materials); }
      })
      .catch(function () { /* keep the list on screen; it is reloaded on the next change */ });
  }

  // -- the call: sound and vibration where the browser allows -----------------------------------

  function audioContext() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { return null; }
    if (!audio) {
      try { audio = new Ctx(); } catch (e) { return null; }
    }
    if (audio.state === "suspended" && audio.resume) { audio.resume().catch(function () {}); }
    return audio;
  }

  function beep(times) {
    var ctx = audioContext();
    if (!ctx) { return; }
    var start = ctx.currentTime + 0.05;
    for (var i = 0; i < times; i++) {
      var at = start + i * 0.45;
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.type = "sine";
      osc.frequency.value = i % 2 ? 1175 : 880;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.6, at + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.35);
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start(at);
      osc.stop(at + 0.4);
    }
  }

  function vibrate(pattern) {
    try { if (navigator.vibrate) { navigator.vibrate(pattern); } } catch (e) { /* not allowed here */ }
  }

  function alertVisitor() {
    document.body.setAttribute("data-alerts", String(Number(document.body.getAttribute("data-alerts") || 0) + 1));
    var box = $("call");
    box.classList.remove("flash");
    void box.offsetWidth;   // restart the animation on a recall
    box.classList.add("flash");
    if (box.scrollIntoView) { box.scrollIntoView({ block: "start", behavior: "smooth" }); }
    beep(4);
    vibrate([500, 200, 500, 200, 500]);
  }

  function enableSound() {
    soundOn = true;
    audioContext();
    beep(1);
    vibrate(120);
    $("sound").setAttribute("aria-pressed", "true");
    $("sound-zh").textContent = "已开启提示音和振动（请勿静音）";
    $("sound-en").textContent = "Sound and vibration alert on (keep the phone unmuted)";
  }

  // -- live state -----------------------------------------------------------------------------

  function applyTicket(t) {
    var moved = t.queue !== ticket.queue;
    var otherItem = t.item !== ticket.item;
    ticket = t;
    if (otherItem) { loadMaterials(t.item); }
    return moved;
  }

  // queue.updated carries the queue's waiting numbers in calling order: this ticket's place in
  // it is how many are ahead, and `waits` the estimate for each place.
  function applyQueue(q) {
    if (!q || q.code !== ticket.queue || ticket.status !== "waiting") { return; }
    var at = (q.order || []).indexOf(ticket.number);
    // A ticket sent to one window is served by that window, whatever its queue: the server's
    // ticket events say whether that one is held.
    if (!ticket.target_window) { ticket.unserved = !!q.unserved; }
    if (ticket.unserved) { ticket.estimated_wait_s = null; ticket.estimated_wait_range_s = null; }
    // The queue's paused windows, as the ticket view picks them: those that would call it, and
    // only while none open would (a pause brings no ticket event, only this).
    var pausedHere = q.paused_windows || [];
    ticket.paused_windows = ticket.target_window
      ? pausedHere.filter(function (w) { return w.id === ticket.target_window; })
      : ((q.open_windows || []).length ? [] : pausedHere);
    if (at < 0) {
      // Not in the list: held for one window, or beyond the list's length; keep what we know.
      if (!q.waits) { ticket.estimated_wait_s = null; ticket.estimated_wait_range_s = null; }
      return;
    }
    ticket.ahead = at;
    // q.waits: HallQ's estimate for each place, [wait, low, high]; the shown range moves only
    // when it has drifted past wait.js's threshold.
    var w = q.waits && q.waits[at];
    var next = w ? [w[1], w[2]] : null;
    if (window.HallqWait.drifted(ticket.estimated_wait_range_s || null, next)) {
      ticket.estimated_wait_range_s = next;
      ticket.estimated_wait_s = w ? w[0] : null;
    }
  }

  // The hall's clock, whatever zone the visitor's phone is set to.
  function hallTime(date) {
    try {
      return date.toLocaleTimeString("zh-CN", {
        hour: "2-digit", minute: "2-digit", hour12: false, timeZone: document.body.getAttribute("data-timezone")
      });
    } catch (e) {
      return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2);
    }
  }

  function setConn(status, message) {
    var c = $("conn");
    c.className = "conn conn-" + status;
    c.textContent = "";
    var zh, en;
    if (status === "live") {
      var hhmm = hallTime(new Date());
      zh = "实时更新中（" + hhmm + " 已同步）";
      en = "Live (in sync at " + hhmm + ")";
    } else if (status === "error") {
      zh = "无法获取最新状态：" + (message || "");
      en = "Cannot get the latest status.";
    } else if (status === "connecting") {
      zh = "正在连接…";
      en = "Connecting…";
    } else {
      zh = "连接中断，正在重新连接，以下可能不是最新状态";
      en = "Reconnecting… what you see may be out of date";
    }
    c.appendChild(document.createTextNode(zh + " "));
    var span = document.createElement("span");
    span.lang = "en";
    span.textContent = en;
    c.appendChild(span);
  }

  function start() {
    live = new window.HallqLive({
      rooms: ["ticket:" + id],
      auth: {},
      onSnapshot: function (ack) {
        var t = ack.tickets && ack.tickets[id];
        if (t) { applyTicket(t); }
        render();
      },
      onEvent: function (name, payload) {
        if ((name === "ticket.updated" || name === "ticket.called") && payload.ticket && payload.ticket.id === id) {
          var moved = applyTicket(payload.ticket);
          render();
          // Transferred to another queue: subscribe again, so the server follows the new queue.
          if (moved) { live.subscribe(); }
        } else if (name === "queue.updated" && payload.queue) {
          applyQueue(payload.queue);
          render();
        }
      },
      onStatus: setConn
    }).start();

    // A phone that slept may hold a socket that died silently: ask for a fresh snapshot now.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && live.socket && live.socket.connected) { live.subscribe(); }
    });
    window.addEventListener("pageshow", function (ev) {
      if (ev.persisted && live.socket && live.socket.connected) { live.subscribe(); }
    });
  }

  $("sound").addEventListener("click", enableSound);
  // Any touch also unlocks audio for the call, where the browser requires a gesture first.
  document.addEventListener("pointerdown", function () { if (!soundOn) { audioContext(); } }, { once: true });

  renderMaterials(data.materials);
  render();
  setConn("connecting");
  start();
})();
