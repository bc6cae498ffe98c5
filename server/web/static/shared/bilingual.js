// Chinese first, English second: the small helpers every face writes its words with.

import { h } from "./dom.js";

// "中文 <span class=en>English</span>": the two languages of one label, side by side.
export function bi(zh, en) { return h("span", {}, [zh + " ", h("span", { cls: "en", text: en })]); }

// format("等候 {n} 人", {n: 3}) → "等候 3 人": every {name} in the text, by the value given.
export function format(text, vars) {
  var s = String(text);
  Object.keys(vars || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
  return s;
}

// The server writes a bilingual refusal as "中文 / English": its parts, Chinese first.
export var SEPARATOR = " / ";

export function parts(message) { return String(message).split(SEPARATOR); }

// Does `message` already lead with `zh` (so a screen shows the Chinese once, not twice)?
export function leadsWith(message, zh) { return String(message).indexOf(zh + SEPARATOR) === 0; }

// "2026-05-12T14:05:09+08:00" → "14:05", as the server wrote it (the hall's own time).
export function hhmm(iso) { return iso ? iso.slice(11, 16) : ""; }

// Seconds as a stopwatch shows them: 75 → "1:15".
export function stopwatch(seconds) {
  seconds = Math.max(0, Math.floor(seconds));
  var m = Math.floor(seconds / 60), s = seconds % 60;
  return m + ":" + (s < 10 ? "0" : "") + s;
}
