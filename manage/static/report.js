// What the board's report pages share (统计 statistics, 审计日志 audit log, 月度考核 evaluation):
// the sign-in the board keeps in this tab, the API with its token, downloads of CSV and XLSX
// (a plain link cannot carry the token, so the file is fetched and handed to the browser), and
// the days of a range. The server decides who sees what; a page only shows its answer.

import { ApiError, describe, request } from "/static/shared/api.js";
import { bi } from "/static/shared/bilingual.js";
import { $, clear, h } from "/static/shared/dom.js";
import { hallBase, hallRoot } from "/static/shared/hall-base.js";
import { dropToken, storedToken } from "./token.js";
import { whoLabel } from "./who.js";

export { ApiError, describe };

export function token() { return storedToken(); }

export function api(path) {
  return request("GET", path, undefined, token()).then(function (r) { return r.data || {}; });
}

// No sign-in in this tab, or an expired one: say so and link to the board's sign-in, which comes
// back here afterwards. Both within this page's hall: `next` is the path inside it (no /h/CODE).
export function needSignIn(box) {
  var back = location.pathname.slice(hallBase().length) + location.search;
  clear(box).appendChild(h("div", { cls: "card signin-note", id: "signin-note" }, [
    h("p", {}, [bi("请先登录大厅监控。", "Please sign in on the hall board first.")]),
    h("a", { cls: "primary", href: hallBase() + "/manage/?next=" + encodeURIComponent(back) }, [bi("去登录", "Sign in")])
  ]));
}

var hallDay = null; // "YYYY-MM-DD": the hall's business day as the server counts it (GET /hall)

// Today in the hall's own time zone, as a local Date at midnight for `range` and `isoMonth`: the
// server's day, not this PC's clock (a browser in another zone would pick yesterday or tomorrow).
// Falls back on the browser's date only if the server did not say.
export function today() {
  var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(hallDay || "");
  if (!m) { var now = new Date(); return new Date(now.getFullYear(), now.getMonth(), now.getDate()); }
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

// Runs `start(me)` for a signed-in manager, admin or chief; otherwise explains why not.
export function boot(box, start) {
  if (!token()) { needSignIn(box); return; }
  var day = api("/hall").then(function (hall) { hallDay = hall.day; }, function () { hallDay = null; });
  api("/auth/me").then(function (me) { return day.then(function () { return me; }); }).then(function (me) {
    if (["manager", "admin", "chief"].indexOf(me.user.role) < 0) {
      clear(box).appendChild(h("p", { cls: "card" }, [bi("此页面仅供大厅主任和首席代表使用。", "For the hall managers and chief representatives.")]));
      return;
    }
    clear($("who")).appendChild(whoLabel(me.user));
    start(me.user);
  }).catch(function (err) {
    if (err instanceof ApiError && err.status === 401) { dropToken(token()); needSignIn(box); return; }
    showError(err);
  });
}

export function showError(err) {
  var box = $("error");
  box.textContent = typeof err === "string" ? err : describe(err);
  box.hidden = false;
}

export function clearError() { $("error").hidden = true; }

// GET `path` as a file and save it under the name the server gives (Content-Disposition).
export function download(path, fallback) {
  clearError();
  return fetch(hallRoot() + "/api/v1" + path, { headers: { Authorization: "Bearer " + token() }, cache: "no-store" }).then(function (r) {
    if (!r.ok) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        var e = body.error || {};
        throw new ApiError(r.status, e.code || "http_" + r.status, e.message || r.statusText, e.message_zh);
      });
    }
    var m = /filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "");
    return r.blob().then(function (blob) {
      var url = URL.createObjectURL(blob);
      var a = h("a", { href: url, download: m ? m[1] : fallback, hidden: true });
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 1000);
      return m ? m[1] : fallback;
    });
  }).catch(showError);
}

function pad(n) { return (n < 10 ? "0" : "") + n; }

export function isoDay(d) { return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); }

export function isoMonth(d) { return d.getFullYear() + "-" + pad(d.getMonth() + 1); }

// [from, to] of a named range around `now`: today, this week (Monday first), this month.
export function range(name, now) {
  var d = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  if (name === "week") {
    var monday = new Date(d);
    monday.setDate(d.getDate() - ((d.getDay() + 6) % 7));
    return [isoDay(monday), isoDay(d)];
  }
  if (name === "month") { return [isoDay(new Date(d.getFullYear(), d.getMonth(), 1)), isoDay(d)]; }
  return [isoDay(d), isoDay(d)];
}

// Seconds as minutes with one decimal ("—" for no figure).
export function minutes(s) { return s === null || s === undefined ? "—" : (s / 60).toFixed(1); }

export function percent(rate) { return rate === null || rate === undefined ? "—" : (rate * 100).toFixed(1) + "%"; }

export function dash(v) { return v === null || v === undefined ? "—" : String(v); }
