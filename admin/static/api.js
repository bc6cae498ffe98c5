// The API as the admin page calls it (JSON, the signed-in token) and what the page says of its
// answers: a note when a change is done, the server's own refusal otherwise, Chinese first.

import { $, show } from "/static/shared/dom.js";
import { ApiError, describe, request } from "/static/shared/api.js";
import { hallStore } from "/static/shared/hall-base.js";

export { ApiError, describe };

export var KEY = hallStore("hallq-admin:");  // per hall, as hall-base.js says why
export var session = { token: null, user: null, catalog: null };

// Resolves to the answer's body (null for a 204).
export function api(method, path, body) {
  return request(method, path, body, session.token).then(function (r) { return r.data; });
}

// Who may change what: the server decides; the page only hides the buttons it would refuse.
export function isAdmin() { return !!session.user && session.user.role === "admin"; }

var noteTimer = null;

export function showError(err) {
  $("error-text").textContent = describe(err);
  show($("error"), true);
}

export function clearError() { show($("error"), false); }

export function showNote(text) {
  clearError();
  var note = $("note");
  note.textContent = text;
  show(note, true);
  clearTimeout(noteTimer);
  noteTimer = setTimeout(function () { show(note, false); }, 5000);
}

// A change: the call, then a note and a fresh list, or the refusal; the promise says which.
export function change(promise, done, reload) {
  return promise.then(function (data) {
    showNote(done);
    if (reload) { reload(); }
    return data;
  }, function (err) {
    if (err instanceof ApiError && err.status === 401) { window.location.reload(); }
    showError(err);
    throw err;
  });
}

// "2026-05-12T14:05:09+08:00" → "05-12 14:05", the hall's own time as the server wrote it.
export function when(iso) { return iso ? iso.slice(5, 10) + " " + iso.slice(11, 16) : "—"; }

// The two-click confirm a destructive button asks for, instead of a browser dialog.
export function confirming(button, ask, act) {
  if (button.dataset.armed === "1") { act(); return; }
  button.dataset.armed = "1";
  button.dataset.label = button.textContent;
  button.textContent = ask;
  button.classList.add("armed");
  setTimeout(function () {
    if (!button.isConnected) { return; }
    button.dataset.armed = "";
    button.textContent = button.dataset.label;
    button.classList.remove("armed");
  }, 4000);
}
