// Live state for every HallQ page: connect, subscribe, apply the snapshot, then apply only
// events newer than it (protocol v1: delivery is at most once, the database is the truth).
// On every reconnect the page subscribes again and is whole at once.
(function (global) {
  "use strict";

  function HallqLive(options) {
    this.rooms = options.rooms;                 // e.g. ["hall"] or ["ticket:ID"]
    this.auth = options.auth || {};             // {device_key} | {token} | {}
    this.onSnapshot = options.onSnapshot || function () {};
    this.onEvent = options.onEvent || function () {};
    this.onStatus = options.onStatus || function () {};   // "connecting" | "live" | "offline" | "error"
    this.seq = -1;
    this.socket = null;
  }

  HallqLive.prototype.start = function () {
    var self = this;
    var socket = global.io({ transports: ["websocket"], auth: this.auth, reconnectionDelayMax: 3000 });
    this.socket = socket;
    self.onStatus("connecting");
    socket.on("connect", function () { self.subscribe(); });
    socket.on("disconnect", function () { self.onStatus("offline"); });
    socket.on("connect_error", function (err) { self.onStatus("offline", err && err.message); });
    ["ticket.issued", "ticket.called", "ticket.updated", "window.updated", "queue.updated",
     "announcement", "printer.updated", "case.updated", "case.warning", "hall.notice"].forEach(function (name) {
      socket.on(name, function (data) {
        if (!data || typeof data.seq !== "number" || data.seq <= self.seq) { return; }
        self.onEvent(name, data);
      });
    });
    return this;
  };

  HallqLive.prototype.subscribe = function (rooms) {
    var self = this;
    if (rooms) { this.rooms = rooms; }
    this.socket.timeout(8000).emit("subscribe", { rooms: this.rooms }, function (err, ack) {
      if (err) { self.onStatus("offline", "no answer"); setTimeout(function () { self.subscribe(); }, 1500); return; }
      if (!ack || ack.error) { self.onStatus("error", ack && ack.error ? ack.error.message : "refused"); return; }
      self.seq = ack.seq;
      self.onSnapshot(ack);
      self.onStatus("live");
    });
  };

  HallqLive.prototype.stop = function () { if (this.socket) { this.socket.close(); } };

  global.HallqLive = HallqLive;
})(window);
