// What the console holds, in four parts, each changed by the module named beside it (the others
// only read it). Exposed read-only as window.HallqConsole.state for the curious.

import { hallStore } from "/static/shared/hall-base.js";

// Per hall (hall-base.js): one hall's console never reads or clears another's sign-in in this tab.
export var KEY = hallStore("hallq.console.");

// Who is signed in and where they may work (session.js, chooser.js).
export var session = { token: null, user: null, allowed: [] };

// The hall's catalogue, as /api/v1/catalog gives it, and its indexes (session.js).
export var hall = { catalog: null, items: {}, queueCat: {}, windowCat: {} };

// The window this console works at, as the server last said (connection.js, actions.js, today.js):
// its state, queues and ticket, today's tally, the live connection, the last finish's result.
export var desk = {
  win: null, wstate: null, queues: {}, ticket: null,
  day: null, today: null,
  live: null, conn: "connecting", snapshots: 0, busy: false,
  result: null, leaving: false,
  ratings: 0   // 好差评 ratings that came in at this window since the page opened (never their value)
};

// Staff's work on tickets, kept in sessionStorage until the ticket is finished (ticket.js, finish.js).
export var work = { checks: {}, itemFor: {}, finishFor: null };

export function load(store, key, fallback) {
  try { var v = store.getItem(KEY + key); return v ? JSON.parse(v) : fallback; }
  catch (e) { return fallback; }
}

export function save(store, key, value) {
  try {
    if (value === null) { store.removeItem(KEY + key); } else { store.setItem(KEY + key, JSON.stringify(value)); }
  } catch (e) { /* storage full or disabled: the page still works, it only forgets on reload */ }
}
