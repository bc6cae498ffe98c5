// The one error line under the header: the server's refusal, Chinese first.

import { describe } from "./api.js";
import { $ } from "/static/shared/dom.js";

export function showError(err) {
  $("error-text").textContent = typeof err === "string" ? err : describe(err);
  $("error").hidden = false;
}

export function clearError() { $("error").hidden = true; }

export function wireNotes() { $("error-close").addEventListener("click", clearError); }
