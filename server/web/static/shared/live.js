// The live connection as a module: the faces import HallqLive from here.
//
// /static/hallq-live.js itself stays a classic script (loaded by a tag before the page's
// modules, after the vendored Socket.IO client whose global `io` it uses), because the
// visitor's phone page (kiosk/static/status.js) is ES5 for old phones and uses the same class.
// One file, one behaviour: this module only hands its class to the modules that import it.

export var HallqLive = window.HallqLive;

if (typeof HallqLive !== "function") {
  throw new Error("hallq-live.js must be loaded before the page's modules (a classic <script> tag)");
}

// new HallqLive(options).start(): options as in hallq-live.js (rooms, auth, onSnapshot, onEvent, onStatus).
export function connect(options) { return new HallqLive(options).start(); }
