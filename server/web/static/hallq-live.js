// Live state for every HallQ page: connect, subscribe, apply the snapshot, then apply only
// events newer than it (protocol v1: delivery is at most once, the database is the truth).
// The page takes a fresh snapshot whenever it could be out of date (docs/api.md, Socket.IO):
// on every (re)connect, when an event shows it missed one (the gap rule), and when the server
// says `resync` (its message queue came back). Events that arrive while a subscribe is on its way
// wait for its snapshot, so none is applied to a state about to be replaced.
(function (global) {
  "use strict";

  // The events pages are handed (others a page names in `options.events`).
  var EVENTS = ["ticket.issued", "ticket.called", "ticket.updated", "window.updated", "queue.updated",
    "announcement", "printer.updated", "case.opened", "case.updated", "case.warning", "hall.notice"];

  // The hall this page belongs to: "/h/CODE" for a page served under a hall's prefix, "" for the
  // home hall (as hallBase() in /static/shared/hall-base.js, the modules' copy: keep the two
  // alike). Here because every classic script that calls the server comes after this file.
  function hallqBase() {
    return (global.location.pathname.match(/^\/h\/[^\/]+/) || [""])[0];
  }

  function HallqLive(options) {
    this.rooms = options.rooms;                 // e.g. ["hall"] or ["ticket:ID"]
    this.auth = options.auth || {};             // {device_key} | {token} | {}
    this.onSnapshot = options.onSnapshot || function () {};
    this.onEvent = options.onEvent || function () {};
    this.onStatus = options.onStatus || function () {};   // "connecting" | "live" | "offline" | "error"
    this.seq = -1;          // the seq of the snapshot held
    this.held = null;       // room -> the seq the page holds that room as of (gap rule)
    this.waiting = null;    // events that came while a subscribe was on its way
    this.asking = null;     // the subscribe on its way, if any
    this.ended = null;      // why the server ended this credential's connections
    this.socket = null;
    this.retrying = false;  // refused for now (the server could not check the credential): connecting again soon
    this.retries = 0;
    this.retryTimer = null;
    // A page may ask for more of the room's events than these (the manager's board: alerts).
    this.events = EVENTS.concat(options.events || []);
  }

  HallqLive.prototype.start = function () {
    var self = this;
    // The socket of this page's hall (/h/CODE/socket.io), not the home hall's. A page without the
    // prefix names its hall too (?hall=, from the server's <meta name="hallq-hall">): else the
    // server would take a credential of another hall to that hall, under this page's name. Not as
    // a prefix: a proxy may upgrade /socket.io/ alone to a WebSocket.
    var meta = global.document && global.document.querySelector('meta[name="hallq-hall"]');
    var code = meta && meta.getAttribute("content");
    var socket = global.io({ path: hallqBase() + "/socket.io", transports: ["websocket"], auth: this.auth,
      query: code ? { hall: code } : {}, reconnectionDelayMax: 3000 });
    this.socket = socket;
    self.onStatus("connecting");
    socket.on("connect", function () { self.retries = 0; self.subscribe(); });
    // A reason such as "io server disconnect" (the server dropped us: socket.active is then
    // false and Socket.IO does not retry) or the message of a `session.ended` before it.
    socket.on("disconnect", function (reason) { self.asking = null; self.onStatus("offline", self.ended || reason); });
    socket.on("connect_error", function (err) {
      // Socket.IO never retries a connection the server refused (socket.active is then false). A
      // refusal with `data.retry` is for now only (docs/api.md): connect again after a pause that
      // grows to 8 s, spread at random so a hall's screens do not all come back at one instant.
      if (err && err.data && err.data.retry && !socket.active) {
        self.later(function () { if (self.socket === socket) { socket.connect(); } });
      }
      self.onStatus("offline", err && err.message);
    });
    socket.on("session.ended", function (data) { self.ended = (data && data.message) || "session ended"; });
    socket.on("resync", function () { self.resync(); });
    socket.onAny(function (name, data) { self.receive(name, data); });
    return this;
  };

  // Run `again` after a pause of 1 s doubling to 8 s, spread at random between half and one and
  // a half times it: the server asked to be asked again (its database away for now).
  HallqLive.prototype.later = function (again) {
    var self = this;
    var delay = Math.min(8000, 1000 * Math.pow(2, this.retries)) * (0.5 + Math.random());
    this.retries += 1;
    this.retrying = true;
    this.retryTimer = setTimeout(function () {
      self.retryTimer = null;
      self.retrying = false;
      again();
    }, delay);
  };

  HallqLive.prototype.receive = function (name, data) {
    if (!data || typeof data.seq !== "number") { return; }
    if (this.waiting) { this.waiting.push([name, data]); return; }
    if (data.seq <= this.seq) { return; }     // already in the snapshot
    var missed = this.advance(data);
    if (this.events.indexOf(name) >= 0) { this.onEvent(name, data); }
    if (missed) { this.resync(); }
  };

  // The gap rule: `prev[room]` is the seq of the event sent to that room before this one; newer
  // than what the page holds for a room of its own means an event it never got.
  HallqLive.prototype.advance = function (data) {
    var prev = data.prev, held = this.held, missed = false;
    if (!prev || !held) { return false; }
    Object.keys(prev).forEach(function (room) {
      if (!Object.prototype.hasOwnProperty.call(held, room)) { return; }
      if (prev[room] > held[room]) { missed = true; }
      if (data.seq > held[room]) { held[room] = data.seq; }
    });
    return missed;
  };

  HallqLive.prototype.resync = function () {
    if (this.asking || !this.socket || !this.socket.connected) { return; }
    this.subscribe();
  };

  HallqLive.prototype.subscribe = function (rooms) {
    var self = this;
    var asking = {};
    if (rooms) { this.rooms = rooms; }
    this.asking = asking;
    this.waiting = this.waiting || [];
    this.socket.timeout(8000).emit("subscribe", { rooms: this.rooms }, function (err, ack) {
      if (self.asking !== asking) { return; }   // a later subscribe took over
      if (err) { self.onStatus("offline", "no answer"); setTimeout(function () { self.subscribe(); }, 1500); return; }
      var waited = self.waiting;
      self.asking = null;
      self.waiting = null;
      if (ack && ack.error && ack.error.retry) {
        // Nothing changed: the rooms and the snapshot held stay as they were; ask again later.
        self.onStatus("offline", ack.error.message);
        self.later(function () { self.resync(); });
      } else if (!ack || ack.error) {
        if (ack && ack.error && ack.error.code === "unauthorized") { self.ended = ack.error.message; }
        self.onStatus("error", ack && ack.error ? ack.error.message : "refused");
      } else {
        self.retries = 0;
        self.seq = ack.seq;
        self.held = {};
        (ack.rooms || []).forEach(function (room) { self.held[room] = ack.seq; });
        self.onSnapshot(ack);
        self.onStatus("live");
      }
      waited.forEach(function (e) { self.receive(e[0], e[1]); });
    });
  };

  HallqLive.prototype.stop = function () {
    if (this.retryTimer) { clearTimeout(this.retryTimer); this.retryTimer = null; }
    this.retrying = false;
    if (this.socket) { this.socket.close(); }
  };

  global.HallqLive = HallqLive;
  global.hallqBase = hallqBase;
})(window);
