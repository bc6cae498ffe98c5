// What a call says: the hall's template filled in for the screen, and for the browser's own voice.

import { format } from "/static/shared/bilingual.js";

export function fill(template, item) {
  var win = item.window_number != null ? String(item.window_number) : String(item.window || "");
  return format(template || "", { number: item.number || "", number_en: item.number || "", window: win });
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

export function spokenText(template, item) {
  var m = /^([A-Za-z]*)([0-9]+)$/.exec(item.number || "");
  var number = m ? m[1].split("").join(" ") + m[2].split("").map(function (d) {
    return d === "1" ? "幺" : HANZI[+d];
  }).join("") : (item.number || "");
  var win = item.window_number != null ? cardinal(Number(item.window_number)) : String(item.window || "");
  return format(template || "", { number: number, number_en: item.number || "", window: win });
}

export function callKey(ticketId, calledAt) {
  var ms = Date.parse(calledAt);
  return String(ticketId) + "|" + (isNaN(ms) ? String(calledAt) : Math.round(ms / 1000));
}
