// The API as the console calls it: JSON in and out, the staff member's token, and an ApiError
// that carries the server's own words in both languages.

import { CODE_ZH } from "./labels.js";
import { session } from "./state.js";
import { ApiError, describe as describeWith, request } from "/static/shared/api.js";

export { ApiError };

// Resolves to {status, data}.
export function api(method, path, body) {
  return request(method, path, body, session.token);
}

export function describe(err) {
  return describeWith(err, CODE_ZH);
}
