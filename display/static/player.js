// The announcement player: every call gets one place in a single queue, in call order; one
// announcement plays at a time; a backlog is merged (voiceplan.js). The rules are in display.js's
// header and docs/display.md.

import { hideBanner, showBanner } from "./banner.js";
import { clock } from "./clock.js";
import { playAudio, playSequence, speak } from "./sound.js";
import { callKey, fill, spokenText } from "./words.js";

// -- the announcement player -----------------------------------------------------------------

export function Player(options) {
  this.staleMs = (options.staleAfterS || 30) * 1000;
  this.fallbackMs = options.fallbackMs || 1500;
  this.gapMs = options.gapMs === undefined ? 400 : options.gapMs;
  this.voice = options.voice || {};
  var plan = window.HallqVoicePlan.DEFAULTS;
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
  this.log = window.__hallqPlaybackLog = [];
  this.blocked = false;
  this.zhVoice = null;
  this.findVoice();
}

Player.prototype.findVoice = function () {
  var self = this;
  var synth = window.speechSynthesis;
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
  var step = window.HallqVoicePlan.nextStep(ready, performance.now(), this.lastEnd, this.policy);
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
    if (mode === "speech" && window.speechSynthesis) { window.speechSynthesis.cancel(); }
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

Object.assign(Player.prototype, { playSequence: playSequence, playAudio: playAudio, speak: speak });
