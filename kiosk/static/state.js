// What the kiosk holds while it runs, and the words of its chosen language.

import { T } from "./texts.js";
import { format } from "/static/shared/bilingual.js";

export var state = {
  lang: "zh",
  key: null,
  live: null,
  online: false,
  unreachable: false, // the connection failed (not merely "still connecting"): show the banner
  catalog: null,
  catalogText: null,  // the catalogue as the server sent it: a reload that matches changes nothing
  depts: {},          // code → department
  queues: {},         // code → queue_view from the hall room (waiting, unserved)
  screen: null,
  dept: null,         // chosen department code, or null for "all" (search)
  item: null,         // chosen item
  notice: null,       // a returning visitor's notice reference, while its number is being taken
  ticket: null,       // the ticket the server issued, while the result screen shows it
  pending: null,      // {press, id}: the request key of a press whose answer has not come yet
  deviceName: null,   // this kiosk's device name (from /api/v1/devices/me)
  printerStatus: null, // its printer's last reported status
  error: null,
  busy: false,
  lastActive: Date.now()
};

export function t(key, vars) {
  var s = T[state.lang][key];
  if (s === undefined) { s = T.zh[key] || key; }
  return format(s, vars);
}

export function name(obj) { return state.lang === "en" ? (obj.name_en || obj.name) : obj.name; }
export function nameLang(obj) { return state.lang === "en" && obj.name_en ? "en" : "zh-CN"; }
