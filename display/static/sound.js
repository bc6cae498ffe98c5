// How one announcement sounds: its audio files back to back, or the browser's own voice. These
// are methods of the Player (player.js mixes them in); `this` is the player.

export function playSequence (item, urls, entry, onPiece, then) {
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
}

export function playAudio (audio, url, entry, then) {
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
}

export function speak (text, repeat, then) {
  var synth = window.speechSynthesis;
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
}
