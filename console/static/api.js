// The API as the console calls it: JSON in and out, the staff member's token, and an ApiError
// that carries the server's own words in both languages.

import { CODE_ZH } from "./labels.js";
import { session } from "./state.js";
import { leadsWith } from "/static/shared/bilingual.js";

var API = "/api/v1";

// -- the API ---------------------------------------------------------------------------

// message: the server's English; zh: its Chinese (message_zh), which every screen shows first.
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
    if (r.status === 204) { return { status: 204, data: null }; }
    return r.text().then(function (text) {
      var data = null;
      try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
      if (!r.ok) {
        var e = data && data.error ? data.error : {};
        throw new ApiError(r.status, e.code || "http_" + r.status, e.message || text || r.statusText, e.message_zh);
      }
      return { status: r.status, data: data };
    });
  }, function () {
    throw new ApiError(0, "network", "the server did not answer; check the network", "服务器无应答，请检查网络");
  });
}

// Chinese first (the server's own words, else what the code means), then the English.
export function describe(err) {
  if (!(err instanceof ApiError)) { return "出错了 / Something went wrong: " + String(err && err.message || err); }
  var zh = err.zh || CODE_ZH[err.code] || "操作未完成";
  // A refusal written "中文 / English" already leads with its Chinese: shown once.
  var text = leadsWith(err.message, zh) ? err.message : zh + " / " + err.message;
  return text + (err.status ? "（" + err.code + "，HTTP " + err.status + "）" : "");
}
