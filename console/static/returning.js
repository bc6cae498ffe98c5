// The returning visitor (article 14): a ticket taken at the kiosk for a notice (一次性告知) carries
// the notice's number (`follows_case`). The console reads that notice and shows exactly what was
// missing last time, its number and date, and ticks those materials once, so the finish dialog
// opens with them checked; staff untick what the visitor still lacks.

import { api } from "./api.js";
import { load } from "./state.js";
import { checksOf, setCheck } from "./ticket.js";
import { bi } from "/static/shared/bilingual.js";
import { $, clear, h, show } from "/static/shared/dom.js";

var notices = {};   // notice number → the case as the server gave it, or "loading" / "failed"

export function noticeOf(t) {
  var n = t && t.follows_case;
  var c = n ? notices[n] : null;
  return c && typeof c === "object" ? c : null;
}

// Fetch the notice once per number; `then` redraws when it arrives.
export function loadNotice(t, then) {
  var n = t && t.follows_case;
  if (!n || notices[n]) { return; }
  notices[n] = "loading";
  // The notice alone (no applicant): readable by whoever serves its returning visitor, even at a
  // proxy window whose clerk may not read the case itself.
  api("GET", "/cases/" + encodeURIComponent(n) + "/notice").then(function (res) {
    notices[n] = res.data.notice;
    preTick(t, res.data.notice);
    then();
  }, function () { notices[n] = "failed"; then(); });
}

// Once per ticket: a ticket whose checks staff already touched keeps them.
function preTick(t, notice) {
  if (load(sessionStorage, "checks:" + t.id, null) !== null) { return; }
  checksOf(t);
  notice.missing.forEach(function (m) { setCheck(t, m.code, true); });
}

export function renderNotice(t) {
  var box = clear($("t-follows"));
  var n = t && t.follows_case;
  show(box, !!n);
  if (!n) { return; }
  var c = notices[n];
  box.appendChild(h("h3", {}, [bi("补正材料 · 一次性告知书 " + n, "Returning with missing papers · notice " + n)]));
  if (c === "failed") {
    box.appendChild(h("p", { cls: "bad" }, [bi("无法读取告知书，请按编号查询。", "Could not read the notice; look it up by number.")]));
    return;
  }
  if (!c || c === "loading") { box.appendChild(h("p", {}, [bi("正在读取告知书…", "Reading the notice…")])); return; }
  var day = c.noticed_on || "";
  box.appendChild(h("p", { cls: "follows-date" }, [bi("告知日期：" + day, "Notice given on " + day)]));
  box.appendChild(h("p", {}, [bi("上次缺少以下材料（已预先勾选，请逐项核对）：",
    "Missing last time (ticked in advance: check each one):")]));
  box.appendChild(h("ul", { cls: "follows-missing" }, c.missing.map(function (m) {
    return h("li", {}, [m.name, m.name_en ? h("span", { cls: "en", text: m.name_en }) : null]);
  })));
  if (c.reason) { box.appendChild(h("p", { cls: "follows-note" }, [bi("告知说明：" + c.reason, "Note: " + c.reason)])); }
}
