// The one line at the top that says what happened: a notice that fades, or an error that stays.

import { ApiError, describe } from "./api.js";
import { expire } from "./session.js";
import { session } from "./state.js";
import { $ } from "/static/shared/dom.js";

// -- notices and errors ------------------------------------------------------------------

var noticeTimer = null;

export function showError(err) {
  if (err instanceof ApiError && err.status === 401 && session.token) { expire(); return; }
  note(typeof err === "string" ? err : describe(err), "error");
}

export function note(text, kind) {
  var box = $("error");
  box.className = "error " + (kind || "info");
  $("error-text").textContent = text;
  box.hidden = false;
  clearTimeout(noticeTimer);
  // Errors stay until dismissed or the next action; plain notices fade.
  if (kind !== "error") { noticeTimer = setTimeout(function () { box.hidden = true; }, 6000); }
}

export function clearNote() { $("error").hidden = true; }
