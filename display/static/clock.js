// The hall clock: the page's clock corrected by the server's `now`, read in the hall's time zone.

import { config } from "./config.js";

export var clock = {
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

export function hallTime(ms) {
  var d = new Date(ms === undefined ? clock.now() : ms);
  return {
    date: dateFmt.format(d),            // 2026年5月12日
    weekday: weekdayFmt.format(d),      // 星期二
    time: timeFmt.format(d),            // 14:05:09
    hm: timeFmt.format(d).slice(0, 5),  // 14:05
    iso: isoFmt.format(d)               // 2026-05-12
  };
}
