// The API as the board calls it: JSON in and out, the manager's token, and an ApiError carrying
// the server's own words in both languages. A route this server does not have yet (404 with no
// error body of the API's own) is "not available": its panel says so instead of failing.

import { floor, session } from "./state.js";
import { bi, leadsWith } from "/static/shared/bilingual.js";
import { clear, h } from "/static/shared/dom.js";

var API = "/api/v1";

export function ApiError(status, code, message, zh) {
  this.status = status; this.code = code; this.message = message; this.zh = zh || "";
}

export function api(method, path, body) {
  var opts = { method: method, headers: { Accept: "application/json" }, cache: "no-store" };
  if (session.token) { opts.headers.Authorization = "Bearer " + session.token; }
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  return fetch(API + path, opts).then(function (r) {
    return r.text().then(function (text) {
      var data = null;
      try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
      if (!r.ok) {
        var e = data && data.error ? data.error : {};
        throw new ApiError(r.status, e.code || "http_" + r.status, e.message || r.statusText, e.message_zh);
      }
      return data || {};
    });
  }, function () {
    throw new ApiError(0, "network", "the server did not answer; check the network", "服务器无应答，请检查网络");
  });
}

// A route missing from this server (Flask's own 404, not the API's "unknown ticket" and the like).
export function missing(err) {
  return err instanceof ApiError && err.status === 404 && /requested URL was not found/i.test(err.message);
}

// GET a manager's route, remembering whether the server has it (floor.routes[name]).
export function optional(name, path) {
  return api("GET", path).then(function (data) { floor.routes[name] = true; return data; }, function (err) {
    if (missing(err)) { floor.routes[name] = false; return null; }
    throw err;
  });
}

export function describe(err) {
  if (!(err instanceof ApiError)) { return "出错了 / Something went wrong: " + String(err && err.message || err); }
  var zh = err.zh || "操作未完成";
  var text = leadsWith(err.message, zh) ? err.message : zh + " / " + err.message;
  return text + (err.status ? "（" + err.code + "，HTTP " + err.status + "）" : "");
}

// What a panel shows when its route is not on this server.
export function unavailable(box) {
  clear(box).appendChild(h("p", { cls: "unavailable", "data-unavailable": "1" },
    [bi("功能未启用", "not available on this server")]));
}
