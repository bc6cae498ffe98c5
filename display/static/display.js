// What both calling displays share: the device key and pairing, the hall clock, the connection
// mark, and the announcement player. hall.js and window.js draw the screens themselves.
//
// Playback rules (issue 4, docs/display.md):
//  - every fresh call gets one place in a single queue, in call order, at the moment its
//    `ticket.called` arrives; its `announcement` (text + audio) fills that place when it comes;
//  - one announcement plays at a time, never overlapping; a recall is a new call; with a backlog,
//    the oldest calls are merged into one announcement, each said once and faster (voiceplan.js,
//    docs/voice.md), so ten calls at once are all heard within 30 s;
//  - a call is dropped only when its screen says it is over (the window paused, closed, or moved
//    on: `drop`); the banner never stays up longer than the hall's `banner_max_s`;
//  - a call whose announcement has not come within `fallback_ms` is spoken by the browser
//    (speechSynthesis, a Chinese voice only) or, failing that, shown as text alone;
//  - a call older than `stale_after_s` when it reaches the display (by `called_at` against the
//    page clock corrected with the server's `now`) is never announced.
(function (global) {
  "use strict";

  var KEY_STORE = "hallq.display.key";
  var RESYNC_MS = 5 * 60 * 1000;
  var config = JSON.parse(document.getElementById("hallq-config").textContent);
  var memoryKey = null;

  // -- the device key: ?key=KEY once, then localStorage; never left in the address bar ---------

  function takeKey() {
    var url = new URL(global.location.href);
    var fromUrl = url.searchParams.get("key");
    if (fromUrl) {
      storeKey(fromUrl);
      url.searchParams.delete("key");
      global.history.replaceState(null, "", url.pathname + url.search + url.hash);
      return fromUrl;
    }
    try { return global.localStorage.getItem(KEY_STORE) || memoryKey; } catch (e) { return memoryKey; }
  }

  function storeKey(key) {
    memoryKey = key;
    try { global.localStorage.setItem(KEY_STORE, key); } catch (e) { /* private mode: memory only */ }
  }

  function forgetKey() {
    memoryKey = null;
    try { global.localStorage.removeItem(KEY_STORE); } catch (e) { /* nothing stored */ }
  }

  function showPairing(reason) {
    document.getElementById("screen").hidden = true;
    document.getElementById("conn").hidden = true;
    var box = document.getElementById("pairing");
    box.hidden = false;
    document.getElementById("pairing-reason").textContent = reason || "";
    document.getElementById("pairing-form").onsubmit = function (ev) {
      ev.preventDefault();
      var key = document.getElementById("pairing-key").value.trim();
      if (key) { storeKey(key); global.location.reload(); }
    };
  }

  // GET /api/v1/devices/me: {device} when the key is good, {unauthorized} when it is not,
  // {offline} when the server cannot be reached (then the caller tries again).
  function fetchDevice(key) {
    return global.fetch("/api/v1/devices/me", { headers: { "X-Device-Key": key }, cache: "no-store" })
      .then(function (r) {
        if (r.status === 401 || r.status === 403) {
          return r.json().then(function (body) {
            return { unauthorized: (body && body.error && body.error.message) || "unauthorized" };
          }, function () { return { unauthorized: "unauthorized" }; });
        }
        if (!r.ok) { return { offline: "HTTP " + r.status }; }
        return r.json().then(function (body) { return { device: body.device }; });
      }, function (err) { return { offline: String(err) }; });
  }

  // -- the hall clock: the page's clock corrected by the server's `now` ---------------------------

  var clock = {
    offset: 0,
    synced: false,
    sync: function (iso) {
      var ms = Date.parse(iso);
      if (isNaN(ms)) { return; }
      // `now` is whole seconds (truncated): the truth is up to a second later, so take the middle.
      if (!/\.\d/.test(iso)) { ms += 500; }
      this.offset = ms - Date.now();
      this.synced = true;
    },
    now: function () { return Date.now() + this.offset; }
  };

  var zone = config.hall.timezone || "Asia/Shanghai";
  var dateFmt = new Intl.DateTimeFormat("zh-CN", { timeZone: zone, year: "numeric", month: "long", day: "numeric" });
  var weekdayFmt = new Intl.DateTimeFormat("zh-CN", { timeZone: zone, weekday: "long" });
  var timeFmt = new Intl.DateTimeFormat("zh-CN", {
    timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
  });
  var isoFmt = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" });

  function hallTime(ms) {
    var d = new Date(ms === undefined ? clock.now() : ms);
    return {
      date: dateFmt.format(d),            // 2026年5月12日
      weekday: weekdayFmt.format(d),      // 星期二
      time: timeFmt.format(d),            // 14:05:09
      hm: timeFmt.format(d).slice(0, 5),  // 14:05
      iso: isoFmt.format(d)               // 2026-05-12
    };
  }

  // -- the connection mark: small, in a corner, only while the display is not live --------------

  var statusLog = [];
  var hadSnapshot = false;

  function setStatus(status, detail) {
    statusLog.push({ status: status, detail: detail || null, at: Date.now() });
    var mark = document.getElementById("conn");
    var live = status === "live";
    mark.hidden = live;
    mark.className = "conn conn-" + status;
    mark.querySelector(".conn-text").innerHTML = hadSnapshot
      ? "重新连接中 <span class=\"en\">Reconnecting</span>"
      : "连接中 <span class=\"en\">Connecting</span>";
    document.body.classList.toggle("is-offline", !live);
  }

  // -- texts -----------------------------------------------------------------------------------

  function fill(template, item) {
    var win = item.window_number != null ? String(item.window_number) : String(item.window || "");
    return String(template || "")
      .split("{number}").join(item.number || "")
      .split("{number_en}").join(item.number || "")
      .split("{window}").join(win);
  }

  // The browser's own voice (fallback only) reads the call the way the server's does: the number
  // digit by digit with 1 as 幺, the window as a quantity (docs/display.md).
  var HANZI = "零一二三四五六七八九";

  function cardinal(n) {
    if (!(n >= 0 && n < 100) || n !== Math.floor(n)) { return String(n); }
    if (n < 10) { return HANZI[n]; }
    var tens = Math.floor(n / 10);
    return (tens > 1 ? HANZI[tens] : "") + "十" + (n % 10 ? HANZI[n % 10] : "");
  }

  function spokenText(template, item) {
    var m = /^([A-Za-z]*)([0-9]+)$/.exec(item.number || "");
    var number = m ? m[1].split("").join(" ") + m[2].split("").map(function (d) {
      return d === "1" ? "幺" : HANZI[+d];
    }).join("") : (item.number || "");
    var win = item.window_number != null ? cardinal(Number(item.window_number)) : String(item.window || "");
    return String(template || "").split("{number}").join(number).split("{number_en}").join(item.number || "")
      .split("{window}").join(win);
  }

  function callKey(ticketId, calledAt) {
    var ms = Date.parse(calledAt);
    return String(ticketId) + "|" + (isNaN(ms) ? String(calledAt) : Math.round(ms / 1000));
  }

  // -- the announcement player -----------------------------------------------------------------

  function Player(options) {
    this.staleMs = (options.staleAfterS || 30) * 1000;
    this.fallbackMs = options.fallbackMs || 1500;
    this.gapMs = options.gapMs === undefined ? 400 : options.gapMs;
    this.voice = options.voice || {};
    var plan = global.HallqVoicePlan.DEFAULTS;
    this.policy = {
      merge_after: this.voice.merge_after || plan.merge_after,
      merge_max: this.voice.merge_max || plan.merge_max,
      idle_after_s: this.voice.idle_after_s || plan.idle_after_s
    };
    this.bannerMaxMs = 1000 * (this.voice.banner_max_s || 15);
    this.lastEnd = null;     // when the loudspeaker last fell silent (performance.now)
    this.stopCurrent = null;
    this.stopAudio = null;
    this.sound = true;
    this.accept = function () { return true; };
    this.items = [];        // waiting to play, in call order
    this.byKey = {};        // every call this page has queued or skipped, by ticket and called_at
    this.current = null;    // the calls being said (one announcement), or null
    this.gapTimer = null;
    this.log = global.__hallqPlaybackLog = [];
    this.blocked = false;
    this.zhVoice = null;
    this.findVoice();
  }

  Player.prototype.findVoice = function () {
    var self = this;
    var synth = global.speechSynthesis;
    if (!synth) { return; }
    var pick = function () {
      var voices = synth.getVoices() || [];
      self.zhVoice = voices.filter(function (v) { return /^(zh|cmn)/i.test(v.lang); })[0] || null;
    };
    pick();
    if (synth.addEventListener) { synth.addEventListener("voiceschanged", pick); }
  };

  Player.prototype.entry = function (item, extra) {
    var e = {
      key: item.key, ticket: item.ticket, number: item.number, window: item.window, recall: !!item.recall,
      called_at: item.called_at, source: item.source, queued_at: item.queuedAt
    };
    for (var k in extra) { if (Object.prototype.hasOwnProperty.call(extra, k)) { e[k] = extra[k]; } }
    this.log.push(e);
    return e;
  };

  Player.prototype.isStale = function (calledAt) {
    var ms = Date.parse(calledAt);
    return !isNaN(ms) && clock.now() - ms > this.staleMs;
  };

  // Calls already made when the page loaded: a later snapshot does not announce them ("catch-up"),
  // but an announcement of one that arrives now is still played.
  Player.prototype.known = function (calls) {
    var self = this;
    (calls || []).forEach(function (c) {
      var key = callKey(c.ticket, c.called_at);
      if (!self.byKey[key]) { self.byKey[key] = { key: key, state: "known", calledMs: Date.parse(c.called_at) }; }
    });
  };

  // A call the display learned of: `ticket.called`, or a fresh call in a snapshot after a reconnect.
  Player.prototype.called = function (info, source) {
    if (!info || !info.ticket || !this.accept(info)) { return; }
    var key = callKey(info.ticket, info.called_at);
    if (this.byKey[key] && !(this.byKey[key].state === "known" && source !== "catch-up")) { return; }
    this.prune();
    var item = this.make(info, key, source || "call");
    this.byKey[key] = item;
    if (this.isStale(info.called_at)) { return this.skip(item); }
    var self = this;
    item.timer = setTimeout(function () {
      if (item.state === "pending") { item.state = "ready"; item.fallback = true; self.pump(); }
    }, this.fallbackMs);
    this.items.push(item);
    this.pump();
  };

  // An `announcement` event: fills the call's place in the queue, or makes one.
  Player.prototype.announce = function (a) {
    if (!a || !a.ticket) { return; }
    var tid = typeof a.ticket === "object" ? a.ticket.id : a.ticket;
    var info = {
      ticket: tid,
      number: a.number || (typeof a.ticket === "object" ? a.ticket.number : ""),
      window: a.window, window_number: a.window_number, window_name: a.window_name,
      called_at: a.called_at || (typeof a.ticket === "object" ? a.ticket.called_at : null),
      recall: a.recall, seq: a.seq
    };
    if (!this.accept(info)) { return; }
    var item = info.called_at ? this.byKey[callKey(tid, info.called_at)] : this.pendingFor(tid);
    if (item && item.state === "known") { item = null; }
    if (!item && !info.called_at && this.recentlyPlayed(tid)) { return; }
    if (item) {
      if (item.state === "pending" || (item.state === "ready" && item.fallback)) {
        this.attach(item, a);
        this.pump();
      } else if (item.state === "ready") {
        this.entry(item, { ignored: "duplicate_announcement", at: performance.now() });
      } else if (item.state !== "skipped") {
        this.entry(item, { ignored: "late_announcement", at: performance.now() });
      }
      return;
    }
    var key = callKey(tid, info.called_at || ("now" + Date.now()));
    this.prune();
    item = this.make(info, key, "announcement");
    this.byKey[key] = item;
    if (this.isStale(info.called_at)) { return this.skip(item); }
    this.attach(item, a);
    // In call order among those still waiting.
    var at = this.items.length;
    for (var i = 0; i < this.items.length; i++) {
      if (this.items[i].calledMs > item.calledMs) { at = i; break; }
    }
    this.items.splice(at, 0, item);
    this.pump();
  };

  Player.prototype.make = function (info, key, source) {
    return {
      key: key, ticket: info.ticket, number: info.number, window: info.window,
      window_number: info.window_number, window_name: info.window_name, called_at: info.called_at,
      calledMs: Date.parse(info.called_at) || clock.now(), recall: !!info.recall, seq: info.seq,
      source: source, state: "pending", text: null, text_en: null, audio_url: null, parts: null, fallback: false,
      queuedAt: performance.now()
    };
  };

  Player.prototype.attach = function (item, a) {
    // `text` is the call as the voice says it (A零零幺): the screen shows the printed number,
    // from `display_text` when the server sends one, else from the hall's template.
    item.spoken = a.text || null;
    item.text = a.display_text || null;
    item.text_en = a.display_text_en || null;
    item.audio_url = a.audio_url || null;
    item.parts = a.parts || null;
    if (this.sound) {
      // Fetched now, while earlier calls play, so it starts at once when its turn comes: the full
      // announcement, and the pieces a backlog would merge it into.
      item.preloaded = {};
      [item.audio_url, item.parts && item.parts.once, item.parts && item.parts.more].forEach(function (url) {
        if (!url) { return; }
        var audio = new Audio();
        audio.preload = "auto";
        audio.src = url;
        item.preloaded[url] = audio;
      });
    }
    item.state = "ready";
    item.fallback = false;
    if (item.timer) { clearTimeout(item.timer); item.timer = null; }
  };

  Player.prototype.skip = function (item) {
    item.state = "skipped";
    var calledMs = Date.parse(item.called_at);
    this.entry(item, { skipped: "stale", age_s: Math.round((clock.now() - calledMs) / 1000), at: performance.now() });
  };

  // A display runs for weeks: forget calls long over, keep the log short.
  Player.prototype.prune = function () {
    var cutoff = clock.now() - 3600 * 1000;
    var byKey = this.byKey;
    Object.keys(byKey).forEach(function (k) {
      var it = byKey[k];
      if (it.state !== "pending" && it.state !== "ready" && it.state !== "playing" && it.calledMs < cutoff) {
        delete byKey[k];
      }
    });
    if (this.log.length > 600) { this.log.splice(0, this.log.length - 500); }
  };

  Player.prototype.pendingFor = function (tid) {
    for (var i = 0; i < this.items.length; i++) {
      if (this.items[i].ticket === tid) { return this.items[i]; }
    }
    return null;
  };

  Player.prototype.recentlyPlayed = function (tid) {
    var since = performance.now() - 10000;
    return this.log.some(function (e) { return e.ticket === tid && e.start && e.start > since; });
  };

  // What to say next is the loudspeaker's plan (voiceplan.js, the rule of server/speech/plan.py):
  // a lone call to a silent loudspeaker gets its full announcement; with a backlog, the oldest
  // calls are said together, each once and faster, so a burst is heard within 30 s (issue 9).
  Player.prototype.pump = function () {
    if (this.current || this.gapTimer) { return; }
    var ready = 0;
    while (ready < this.items.length && this.items[ready].state === "ready") { ready += 1; }
    var step = global.HallqVoicePlan.nextStep(ready, performance.now(), this.lastEnd, this.policy);
    if (!step) { return; }
    var group = this.items.slice(0, step.take);
    var pieces = group.every(function (it) { return it.parts && it.parts.once && it.parts.more; });
    // Audio without its pieces (an older server, an injected announcement): one call at a time.
    if (!step.full && !pieces && group.some(function (it) { return it.audio_url; }) && this.sound) {
      group = group.slice(0, 1);
      step = { take: 1, full: true, chime: true };
    }
    this.items.splice(0, group.length);
    this.play(group, step);
  };

  Player.prototype.groupTexts = function (group) {
    var voice = this.voice;
    var zh = group.map(function (it, i) {
      return i === 0 ? (it.text || fill(voice.template, it)) : fill(voice.template_more || voice.template, it);
    }).join("，");
    // In English one line, short: the numbers; the list beside the banner has their windows.
    var en = group.length === 1 ? (group[0].text_en || fill(voice.template_en, group[0]))
      : "Now calling " + group.map(function (it) { return it.number; }).join(", ");
    var spoken = group.map(function (it, i) {
      return i === 0 ? (it.spoken || spokenText(voice.template, it)) : spokenText(voice.template_more || voice.template, it);
    }).join("，");
    return { zh: zh, en: en, spoken: spoken };
  };

  Player.prototype.play = function (group, step) {
    var self = this;
    var item = group[0];
    this.current = group;
    group.forEach(function (it) { it.state = "playing"; });
    var texts = this.groupTexts(group);
    var form = step.full ? "full" : group.length > 1 ? "merged" : "once";
    var urls = null;
    if (this.sound && step.full && item.audio_url) {
      urls = [item.audio_url];
    } else if (this.sound && !step.full && group.every(function (it) { return it.parts && it.parts.once; })) {
      urls = group.map(function (it, i) { return i === 0 ? it.parts.once : it.parts.more; });
      if (step.chime && item.parts.chime) { urls.unshift(item.parts.chime); }
    } else if (this.sound && item.audio_url) {
      urls = [item.audio_url];
      form = "full";
    }
    var mode = !this.sound ? "text" : urls ? "audio" : this.zhVoice ? "speech" : "text";
    var now = performance.now();
    var entries = group.map(function (it, i) {
      return self.entry(it, {
        mode: mode, form: form, merged: group.length, text: texts.zh, spoken: it.spoken, fallback: it.fallback,
        audio_url: urls && urls[urls.length - group.length + i] ? urls[urls.length - group.length + i].slice(0, 80) : null,
        start: i === 0 || mode !== "audio" ? now : null, start_wall: Date.now(), end: null
      });
    });
    showBanner(texts.zh, texts.en, this.bannerMaxMs);
    var finished = false;
    var done = function (how) {
      if (finished) { return; }
      finished = true;
      var end = performance.now();
      entries.forEach(function (e) {
        if (e.start === null) { e.start = end; }
        if (e.end === null) { e.end = end; e.how = how; }
      });
      group.forEach(function (it) { it.state = "done"; });
      hideBanner();
      self.current = null;
      self.stopCurrent = null;
      self.lastEnd = end;
      self.gapTimer = setTimeout(function () { self.gapTimer = null; self.pump(); }, self.gapMs);
    };
    var textMs = Math.min(9000 * group.length, Math.max(4000, 1200 + 220 * texts.zh.length));
    var timers = [];
    this.stopCurrent = function (why) {
      timers.forEach(clearTimeout);
      if (self.stopAudio) { self.stopAudio(); }
      if (mode === "speech" && global.speechSynthesis) { global.speechSynthesis.cancel(); }
      done(why);
    };
    if (mode === "audio") {
      // The pieces of one announcement, back to back; each call is heard when its piece ends.
      var first = urls.length - group.length;
      this.playSequence(item, urls, entries[0], function (index, phase) {
        var e = entries[index - first];
        if (!e) { return; }
        if (phase === "start" && e.start === null) { e.start = performance.now(); }
        if (phase === "end") { e.end = performance.now(); e.how = "ended"; }
      }, function (how) {
        if (how === "ended") { return done(how); }
        // The audio failed or was refused: the call still shows for as long as it would be read.
        entries.forEach(function (e) { e.audio_failed = how; });
        timers.push(setTimeout(function () { done(how); }, Math.max(0, textMs - (performance.now() - now))));
      });
    } else if (mode === "speech") {
      this.speak(step.full ? (item.spoken || spokenText(this.voice.template, item)) : texts.spoken,
        step.full ? this.voice.repeat : 1, function (how) { done(how); });
    } else {
      timers.push(setTimeout(function () { done("shown"); }, textMs));
    }
  };

  // Drops waiting calls that `matches`, and stops the one playing if it is among them: a window
  // that paused, closed or moved on must not keep asking a visitor over to it (issue 9).
  // `waitingOnly`: leave the announcement playing alone (on the hall screen it may name others).
  Player.prototype.drop = function (matches, why, waitingOnly) {
    var self = this;
    this.items = this.items.filter(function (it) {
      if (!matches(it)) { return true; }
      it.state = "dropped";
      if (it.timer) { clearTimeout(it.timer); it.timer = null; }
      self.entry(it, { dropped: why, at: performance.now() });
      return false;
    });
    if (!waitingOnly && this.current && this.current.some(matches) && this.stopCurrent) { this.stopCurrent(why); }
  };

  Player.prototype.playSequence = function (item, urls, entry, onPiece, then) {
    var self = this;
    var index = 0;
    var next = function () {
      if (index >= urls.length) { return then("ended"); }
      var url = urls[index];
      var audio = (item.preloaded && item.preloaded[url]) || new Audio(url);
      var at = index;
      onPiece(at, "start");
      self.playAudio(audio, url, entry, function (how) {
        if (how !== "ended") { return then(how); }
        onPiece(at, "end");
        index += 1;
        next();
      });
    };
    next();
  };

  Player.prototype.playAudio = function (audio, url, entry, then) {
    var self = this;
    var settled = false;
    var watchdog = null;
    var finish = function (how) {
      if (settled) { return; }
      settled = true;
      self.stopAudio = null;
      clearTimeout(watchdog);
      audio.onended = audio.onerror = audio.onloadedmetadata = audio.onplaying = null;
      try { audio.pause(); } catch (e) { /* already stopped */ }
      then(how);
    };
    this.stopAudio = function () { finish("stopped"); };
    // Never stall the queue: a file that neither ends nor fails is given up on.
    watchdog = setTimeout(function () { finish("timeout"); }, 20000);
    audio.onloadedmetadata = function () {
      if (isFinite(audio.duration) && audio.duration > 0) {
        clearTimeout(watchdog);
        watchdog = setTimeout(function () { finish("timeout"); }, audio.duration * 1000 + 4000);
      }
    };
    audio.onplaying = function () { if (!entry.audio_start) { entry.audio_start = performance.now(); } };
    audio.onended = function () { finish("ended"); };
    audio.onerror = function () { finish("error"); };
    if (!audio.src) { audio.src = url; }
    var start = function () {
      var started = audio.play();
      if (started && started.catch) {
        started.catch(function (err) {
          if (err && err.name === "NotAllowedError") { self.blocked = true; document.body.classList.add("sound-blocked"); }
          finish(err && err.name ? err.name : "error");
        });
      }
    };
    if (audio.readyState >= 1 && isFinite(audio.duration) && audio.duration > 0) { audio.onloadedmetadata(); }
    start();
  };

  Player.prototype.speak = function (text, repeat, then) {
    var synth = global.speechSynthesis;
    var times = Math.max(1, Math.min(3, repeat || 1));
    var left = times;
    var settled = false;
    var finish = function (how) { if (!settled) { settled = true; clearTimeout(watchdog); then(how); } };
    var watchdog = setTimeout(function () { synth.cancel(); finish("timeout"); }, 3000 + 600 * text.length * times);
    for (var i = 0; i < times; i++) {
      var u = new SpeechSynthesisUtterance(text);
      u.lang = this.zhVoice.lang;
      u.voice = this.zhVoice;
      u.rate = 1.0;
      u.onend = function () { left -= 1; if (left === 0) { finish("spoken"); } };
      u.onerror = function () { synth.cancel(); finish("speech_error"); };
      synth.speak(u);
    }
  };

  var bannerTimer = null;

  // The banner never outlives `maxMs`, whatever the sound does: a stalled or slow player must not
  // leave a call on screen that the hall has moved past (issue 9).
  function showBanner(text, textEn, maxMs) {
    var banner = document.getElementById("banner");
    var line = document.getElementById("banner-text");
    line.textContent = text;
    document.getElementById("banner-text-en").textContent = textEn || "";
    banner.hidden = false;
    clearTimeout(bannerTimer);
    if (maxMs > 0) { bannerTimer = setTimeout(hideBanner, maxMs); }
    // One line, as large as fits; two balanced lines only when even half the size does not fit.
    line.style.fontSize = "";
    line.style.whiteSpace = "nowrap";
    var room = banner.clientWidth * 0.92 - 2 * parseFloat(getComputedStyle(line.parentNode).paddingLeft);
    var size = parseFloat(getComputedStyle(line).fontSize);
    var least = size * 0.5;
    while (line.scrollWidth > room && size > least) {
      size *= 0.93;
      line.style.fontSize = size + "px";
    }
    if (line.scrollWidth > room) { line.style.whiteSpace = "normal"; }
  }

  function hideBanner() {
    clearTimeout(bannerTimer);
    bannerTimer = null;
    document.getElementById("banner").hidden = true;
  }

  // -- boot: key, device, live state -------------------------------------------------------------

  // options: rooms(device) -> [...], onDevice(device), onSnapshot(ack, first), onEvent(name, data),
  //          accept(info) -> bool (which calls this screen announces)
  function boot(options) {
    global.__hallqShown = global.__hallqShown || {};
    var api = global.__hallqDisplay = {
      config: config, clock: clock, statusLog: statusLog, device: null, live: null, player: null
    };
    var key = takeKey();
    if (!key) { showPairing(""); return api; }
    var player = api.player = new Player({
      staleAfterS: config.stale_after_s, fallbackMs: config.fallback_ms, voice: config.voice
    });
    player.accept = function (info) { return options.accept ? options.accept(info) : true; };
    api.announce = function (payload) { player.announce(payload); };
    document.getElementById("screen").hidden = false;
    setStatus("connecting");

    var lastSettings = null;
    var applyDevice = function (device) {
      var settings = JSON.stringify(device.settings || {});
      if (settings === lastSettings) { return; }
      lastSettings = settings;
      api.device = device;
      player.sound = !(device.settings && device.settings.sound === false);
      options.onDevice(device);
    };

    var start = function (device) {
      applyDevice(device);
      var first = true;
      var live = api.live = new global.HallqLive({
        rooms: options.rooms(device),
        auth: { device_key: key },
        onStatus: function (status, detail) {
          setStatus(status, detail);
          if (status === "offline" && /revoked|unknown/i.test(detail || "")) { recheck(); }
        },
        onSnapshot: function (ack) {
          clock.sync(ack.now);
          options.onSnapshot(ack, first);
          if (!first) { fetchDevice(key).then(function (r) { if (r.device) { applyDevice(r.device); } }); }
          first = false;
          hadSnapshot = true;
        },
        onEvent: function (name, data) {
          if (name === "announcement") { return; }  // handled below, whatever its seq
          options.onEvent(name, data);
        }
      }).start();
      // Announcements are not state: one whose seq is not newer than a fresh snapshot (the display
      // resubscribed between the call and its synthesis) must still be heard, so it bypasses the
      // seq filter; the player's own key (ticket, called_at) keeps it from playing twice.
      live.socket.on("announcement", function (data) { player.announce(data); });
    };

    // Delivery is at most once and a room may see gaps in seq (changes for other rooms), so a lost
    // event cannot be told from a quiet hall: take a fresh snapshot now and then as well.
    api.resync = function () {
      if (api.live && api.live.socket && api.live.socket.connected) { api.live.subscribe(); }
    };
    setInterval(api.resync, RESYNC_MS);

    // Sound refused by the browser (started without the kiosk flags): a touch or key turns it on.
    var unlock = function () {
      if (!player.blocked) { return; }
      player.blocked = false;
      document.body.classList.remove("sound-blocked");
    };
    document.addEventListener("pointerdown", unlock);
    document.addEventListener("keydown", unlock);

    var recheck = function () {
      fetchDevice(key).then(function (r) {
        if (r.unauthorized) {
          if (api.live) { api.live.stop(); }
          forgetKey();
          showPairing("密钥无效或已吊销，请重新配对。 The key is unknown or revoked: pair this display again.");
        }
      });
    };

    var attempt = 0;
    var tryDevice = function () {
      fetchDevice(key).then(function (r) {
        if (r.device) { return start(r.device); }
        if (r.unauthorized) {
          forgetKey();
          return showPairing("密钥无效或已吊销，请重新配对。 The key is unknown or revoked: pair this display again.");
        }
        setStatus("offline", r.offline);
        attempt += 1;
        setTimeout(tryDevice, Math.min(5000, 500 * attempt));
      });
    };
    tryDevice();
    return api;
  }

  // Records when a number first appeared on screen (the browser tests measure call latency).
  function markShown(number) {
    var shown = global.__hallqShown = global.__hallqShown || {};
    if (!shown[number]) { shown[number] = performance.timeOrigin + performance.now(); }
  }

  global.HallqDisplay = {
    config: config, clock: clock, hallTime: hallTime, boot: boot, markShown: markShown, fill: fill,
    callKey: callKey, spokenText: spokenText, Player: Player
  };
})(window);
