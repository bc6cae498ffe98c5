// The pad's pairing screen; its key and the key's check are shared with the displays
// (/static/shared/device.js). GET /api/v1/devices/me also says which window the pad serves.

import { $ } from "/static/shared/dom.js";
import { deviceKey, fetchDevice } from "/static/shared/device.js";

var stored = deviceKey("hallq.rater.key");

export { fetchDevice };
export var takeKey = stored.take;
export var forgetKey = stored.forget;

export function showPairing(reason) {
  document.body.dataset.screen = "pairing";
  ["idle", "ask", "thanks"].forEach(function (id) { $(id).hidden = true; });
  $("pairing").hidden = false;
  $("pairing-reason").textContent = reason || "";
  $("pairing-form").onsubmit = function (ev) {
    ev.preventDefault();
    var key = $("pairing-key").value.trim();
    if (key) { stored.keep(key); window.location.reload(); }
  };
}
