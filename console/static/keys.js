// The buttons and the keyboard: every action has its key (the buttons show them).

import { act } from "./actions.js";
import { openDialogs } from "./dialogs.js";
import { clearNote } from "./notes.js";
import { renderChecks, renderTicket } from "./render.js";
import { save, work } from "./state.js";
import { currentTicket, materialsOf, setCheck } from "./ticket.js";
import { $ } from "/static/shared/dom.js";

var KEYS = { F1: "next", " ": "next", r: "recall", s: "start", n: "noshow", f: "finish", t: "transfer",
             h: "suspend", c: "number", p: "pause" };

function typing(el) {
  if (!el || !el.tagName) { return false; }
  var tag = el.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable) { return true; }
  return tag === "INPUT" && ["checkbox", "radio", "button", "submit"].indexOf(el.type) < 0;
}

export function wireKeys() {
  document.querySelectorAll("[data-act]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      btn.blur();   // so that Space keeps meaning "call next", not "press the last button again"
      act(btn.dataset.act);
    });
  });

  $("t-item-select").addEventListener("change", function (e) {
    var t = currentTicket();
    if (!t) { return; }
    var code = e.target.value || null;
    work.itemFor[t.id] = code && code !== t.item ? code : null;
    save(sessionStorage, "item:" + t.id, work.itemFor[t.id]);
    renderTicket();
  });

  $("btn-all").addEventListener("click", function () {
    var t = currentTicket();
    materialsOf(t).forEach(function (m) { setCheck(t, m.code, true); });
    renderChecks();
  });
  $("btn-none").addEventListener("click", function () {
    var t = currentTicket();
    materialsOf(t).forEach(function (m) { setCheck(t, m.code, false); });
    renderChecks();
  });
  $("error-close").addEventListener("click", clearNote);

  document.addEventListener("keydown", function (e) {
    if (document.body.dataset.screen !== "console" || openDialogs()) { return; }
    if (e.key === "F1") { e.preventDefault(); }          // not the browser's help page
    if (typing(e.target) || e.ctrlKey || e.altKey || e.metaKey) { return; }
    var key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    var name = KEYS[key];
    if (!name) { return; }
    // Space on a focused checkbox or button keeps its own meaning (tick a material, press it).
    if (key === " " && e.target.closest && e.target.closest("input, button, a, label")) { return; }
    e.preventDefault();
    if (e.repeat) { return; }                             // a held key calls once
    act(name);
  });
}
