// The display's pairing screen; its key and the key's check are shared with the rating pads
// (/static/shared/device.js).

import { deviceKey, fetchDevice } from "/static/shared/device.js";

var stored = deviceKey("hallq.display.key");

export { fetchDevice };
export var takeKey = stored.take;
export var forgetKey = stored.forget;

export function showPairing(reason) {
  document.getElementById("screen").hidden = true;
  document.getElementById("conn").hidden = true;
  var box = document.getElementById("pairing");
  box.hidden = false;
  document.getElementById("pairing-reason").textContent = reason || "";
  document.getElementById("pairing-form").onsubmit = function (ev) {
    ev.preventDefault();
    var key = document.getElementById("pairing-key").value.trim();
    if (key) { stored.keep(key); window.location.reload(); }
  };
}
