// The HTTP API as every staff face calls it: JSON in and out, a bearer token, and an ApiError
// carrying the server's own words in both languages (message_zh is what a screen shows first).

import { leadsWith } from "/static/shared/bilingual.js";
import { hallRoot } from "/static/shared/hall-base.js";

var API = hallRoot() + "/api/v1";   // this page's hall's API

// message: the server's English; zh: its Chinese.
export function ApiError(status, code, message, zh) {
  this.status = status; this.code = code; this.message = message; this.zh = zh || "";
}

// Resolves to {status, data} (data null for a 204 or an empty body); a refusal rejects with an
// ApiError, a server that does not answer with one of code "network".
export function request(method, path, body, token) {
  var opts = { method: method, headers: { Accept: "application/json" }, cache: "no-store" };
  if (token) { opts.headers.Authorization = "Bearer " + token; }
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

// Chinese first (the server's own words, else what the code means in `codeZh`), then the English.
export function describe(err, codeZh) {
  if (!(err instanceof ApiError)) { return "出错了 / Something went wrong: " + String(err && err.message || err); }
  var zh = err.zh || (codeZh && codeZh[err.code]) || "操作未完成";
  // A refusal written "中文 / English" already leads with its Chinese: shown once.
  var text = leadsWith(err.message, zh) ? err.message : zh + " / " + err.message;
  return text + (err.status ? "（" + err.code + "，HTTP " + err.status + "）" : "");
}
