// HallQ hall board (大厅监控), the manager's face. The server decides; this page shows the floor
// as the `hall` room's snapshot and events say, the manager's figures and tools where the server
// has them, and the server's words when it refuses.
//
// An ES module, the page's start: state.js holds what the page knows; api.js calls the server;
// session.js signs in and out; connection.js keeps the floor live; floor.js draws queues and
// windows; alerts.js the alerts; tools.js, staffing.js and tickets.js the manager's tools;
// followups.js the poor ratings' follow-up (差评整改), a view of its own.

import { tick } from "./floor.js";
import { wireFollowups } from "./followups.js";
import { wireNotes } from "./notes.js";
import { boot, wireSession } from "./session.js";
import { floor, hall, session } from "./state.js";
import { wireTicketDialog } from "./tickets.js";
import { wireTools } from "./tools.js";

wireNotes();
wireSession();
wireFollowups();
wireTools();
wireTicketDialog();
setInterval(tick, 1000);

window.HallqBoard = { state: { session: session, hall: hall, floor: floor } };

boot();
