// What a loudspeaker says next when calls queue up for it: the rule of server/speech/plan.py
// (its docstring explains it; tests/speech/test_plan.py checks that the two agree).
// Loaded by the display pages before display.js, and by node in that test.
(function (root) {
  "use strict";

  // waiting: calls ready to be said, in call order; nowMs and lastEndMs (null: never spoken) on
  // one clock; policy: {merge_after, merge_max, idle_after_s}.
  // Returns null, or {take, full, chime}: say the oldest `take` calls, by their full audio or
  // each once in one announcement (after a chime when `chime`).
  function nextStep(waiting, nowMs, lastEndMs, policy) {
    if (!(waiting > 0)) { return null; }
    var idle = lastEndMs === null || lastEndMs === undefined || nowMs - lastEndMs >= 1000 * policy.idle_after_s;
    if (waiting === 1 && idle) { return { take: 1, full: true, chime: true }; }
    var take = waiting >= policy.merge_after ? Math.min(waiting, policy.merge_max) : 1;
    return { take: take, full: false, chime: idle };
  }

  var api = { nextStep: nextStep, DEFAULTS: { merge_after: 2, merge_max: 6, idle_after_s: 1.0 } };
  if (typeof module === "object" && module.exports) { module.exports = api; } else { root.HallqVoicePlan = api; }
})(this);
