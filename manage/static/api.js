// The API as the board calls it: JSON in and out, the manager's token, and an ApiError carrying
// the server's own words in both languages. A route this server does not have yet (404 with no
// error body of the API's own) is "not available": its panel says so instead of failing.

import { floor, session } from "./state.js";
import { bi } from "/static/shared/bilingual.js";
import { ApiError, describe, request } from "/static/shared/api.js";
import { clear, h } from "/static/shared/dom.js";

export { ApiError, describe };

// Resolves to the answer's body ({} when it has none).
export function api(method, path, body) {
  return request(method, path, body, session.token).then(function (r) { return r.data || {}; });
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

// What a panel shows when its route is not on this server.
export function unavailable(box) {
  clear(box).appendChild(h("p", { cls: "unavailable", "data-unavailable": "1" },
    [bi("功能未启用", "not available on this server")]));
}
