// HallQ window console (窗口控制台). The server decides everything; this page shows what it says,
// sends what staff do, and shows the server's message plainly when it refuses.
//
// State comes from three places, in this order of trust:
//   1. the Socket.IO subscribe snapshot (window:ID and queue:CODE rooms), taken again on every
//      reconnect by HallqLive, so the page is whole again at once;
//   2. events newer than that snapshot (window.updated, queue.updated, ticket.*);
//   3. the answers of this page's own HTTP actions (applied at once; the events agree).
// Today's tally and the window's suspended visitors are the server's too: GET
// /api/v1/windows/{id}/today, read again on every snapshot (attaching, each reconnect), after
// this page's finish, no-show, suspend and back, and when an event says the window's day moved.
// Nothing of them is kept in the browser.
//
// An ES module, the page's start: the others each hold one concern and call each other's
// functions; none does anything when loaded. state.js holds what the page knows; api.js calls
// the server; session.js signs in and out; chooser.js picks a window; connection.js keeps it
// live; render.js draws it; ticket.js, today.js, actions.js, dialogs.js, finish.js and keys.js
// are the work at the window. Here the listeners are wired, in the page's order, and it starts.

import { wireConnection } from "./connection.js";
import { wireDialogs } from "./dialogs.js";
import { wireFinish } from "./finish.js";
import { wireKeys } from "./keys.js";
import { wireClock } from "./render.js";
import { boot, wireSession } from "./session.js";
import { desk, hall, session, work } from "./state.js";

wireSession();
wireConnection();
wireClock();
wireDialogs();
wireFinish();
wireKeys();

// Exposed for tests and for the curious: read-only views of the state.
window.HallqConsole = { state: { session: session, hall: hall, desk: desk, work: work } };

boot();
