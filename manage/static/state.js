// What the board holds, each part changed by the module named beside it (the others only read it).
// Exposed read-only as window.HallqBoard.state for tests and the curious.

import { hallStore } from "/static/shared/hall-base.js";

// Per hall (hall-base.js): a tab that opens two halls' boards keeps each one's apart.
export var KEY = hallStore("hallq.manage.");

// Who is signed in (session.js): a manager sees the hall, a chief (首席代表) one department.
export var session = { token: null, user: null };

// The hall's catalogue (session.js): queues and windows with their departments.
export var hall = { catalog: null, queueCat: {}, windowCat: {} };

// The floor as the server last said (connection.js, board.js): queues and windows by code and
// id, the figures only the manager's board route gives (`extra`), when each current ticket was
// called, the alerts by key, the overflow proposals, and which of the manager's routes answer.
export var floor = {
  queues: {}, windows: {}, extra: { queues: {}, windows: {} }, calledAt: {}, alerts: {},
  proposals: [], routes: {}, live: null, conn: "connecting", snapshots: 0, events: 0, asOf: 0
};

// Chiefs see their department only: the department, or null for a manager.
export function scope() {
  var u = session.user;
  return u && u.role === "chief" ? u.department : null;
}

export function queueVisible(code) {
  var dept = scope();
  if (!dept) { return true; }
  var q = hall.queueCat[code];
  return !!q && q.department === dept;
}

// A chief also sees the comprehensive proxy windows serving the department's queues (article 24).
export function windowVisible(w) {
  var dept = scope();
  if (!dept) { return true; }
  if (w.department === dept) { return true; }
  return w.kind === "proxy" && (w.queues || []).some(function (q) { return queueVisible(q.queue || q); });
}

export function load(key, fallback) {
  try { var v = sessionStorage.getItem(KEY + key); return v ? JSON.parse(v) : fallback; }
  catch (e) { return fallback; }
}

export function save(key, value) {
  try {
    if (value === null) { sessionStorage.removeItem(KEY + key); }
    else { sessionStorage.setItem(KEY + key, JSON.stringify(value)); }
  } catch (e) { /* storage disabled: the page still works, it only forgets on reload */ }
}

// Which view of the board is shown (followups.js): the floor ("board") or the poor ratings'
// follow-ups ("followups", 差评整改) or the bookings ("bookings", 预约, bookings.js).
export var view = { name: "board" };
