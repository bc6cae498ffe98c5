// How long a visitor will wait, in words (issue 13), for the kiosk's result screen and the
// phone page. The server sends a range, `estimated_wait_range_s: [low, high]`, in which the wait
// should fall four times in five (docs/wait-estimates.md measures how often it does), or null
// when no open window serves the queue: then no number at all, never an invented one.
// A classic ES5 script (old phones' browsers): it sets window.HallqWait.
(function (root) {
  "use strict";

  // The phone's shown range moves only when the new one differs by more than this (either end),
  // so a visitor does not watch it flicker with every call in the hall.
  var DRIFT_S = 120;
  var DRIFT_SHARE = 0.2;

  // Whole minutes, to the 5 minutes past 10: "约15–25分钟", not "约13–27分钟".
  function minutes(range) {
    var step = range[1] < 600 ? 1 : 5;
    var lo = Math.floor(range[0] / 60 / step) * step;
    var hi = Math.ceil(range[1] / 60 / step) * step;
    if (hi <= lo) { hi = lo + step; }
    return [lo, hi];
  }

  // [Chinese, English], or null when the wait is unknown (no open window serves the queue).
  function words(t) {
    var r = t && t.estimated_wait_range_s;
    if (!t || t.unserved || !r) { return null; }
    var m = minutes(r);
    if (m[1] <= 1) { return ["即将叫号", "Very soon"]; }
    if (m[0] === 0) { return [m[1] + "分钟内", "Within " + m[1] + " min"]; }
    return ["约" + m[0] + "–" + m[1] + "分钟", "About " + m[0] + "–" + m[1] + " min"];
  }

  // Whether a newly estimated range has moved far enough from the one on screen to replace it.
  function drifted(shown, next) {
    if (!shown || !next) { return shown !== next; }
    var tolerance = Math.max(DRIFT_S, DRIFT_SHARE * shown[1]);
    return Math.abs(next[0] - shown[0]) > tolerance || Math.abs(next[1] - shown[1]) > tolerance;
  }

  root.HallqWait = { minutes: minutes, words: words, drifted: drifted, DRIFT_S: DRIFT_S };
})(window);
