// Today's tally and the window's suspended visitors: the server's (GET /windows/{id}/today),
// read again whenever something may have moved them; nothing of them is kept in the browser.

import { resumeTicket } from "./actions.js";
import { api, describe } from "./api.js";
import { OUTCOMES } from "./labels.js";
import { showError } from "./notes.js";
import { desk } from "./state.js";
import { bi } from "/static/shared/bilingual.js";
import { $, clear, h } from "/static/shared/dom.js";

// -- today's tally and suspended visitors: the server's ------------------------------------

// Does this ticket change the window's day? Finished or not come here, suspended to here, or
// a visitor on the suspended list who moved on (back in line, cancelled).
export function movesToday(t) {
  if (t.window === desk.win && (t.status === "done" || t.status === "no_show")) { return true; }
  if (t.status === "suspended" && t.target_window === desk.win) { return true; }
  return !!(desk.today && desk.today.suspended.some(function (s) { return s.id === t.id; }));
}

// One request at a time; a call while one is on its way asks for one more afterwards, so the
// last answer shown is never older than the last change asked about.
var todayLoad = { busy: false, again: false };

export function loadToday() {
  var win = desk.win;
  if (!win) { return Promise.resolve(); }
  if (todayLoad.busy) { todayLoad.again = true; return todayLoad.busy; }
  todayLoad.again = false;
  todayLoad.busy = api("GET", "/windows/" + encodeURIComponent(win) + "/today").then(function (res) {
    if (desk.win !== win) { return; }
    desk.today = res.data;
    if (res.data.day) { desk.day = res.data.day; }
    renderSuspended();
    renderTally();
  }, function (err) {
    // Not at this window any more (handed over, closed elsewhere): the window event says so.
    if (err.status === 403 || err.status === 409) { return; }
    if (err.status === 401) { showError(err); return; }
    $("tally-note").textContent = "今日统计未能读取 Today's tally could not be read: " + describe(err);
  }).then(function () {
    todayLoad.busy = false;
    if (todayLoad.again && desk.win === win) { return loadToday(); }
  });
  return todayLoad.busy;
}

export function renderSuspended() {
  if (document.body.dataset.screen !== "console") { return; }
  var ul = clear($("suspended"));
  var list = desk.today ? desk.today.suspended : null;
  $("suspended-count").textContent = list && list.length ? String(list.length) : "";
  if (!list) { ul.appendChild(h("li", { cls: "empty", text: "…" })); return; }
  if (!list.length) { ul.appendChild(h("li", { cls: "empty" }, [bi("无", "None")])); return; }
  list.forEach(function (s) {
    ul.appendChild(h("li", { "data-number": s.number, "data-ticket": s.id }, [
      h("span", { cls: "s-number", text: s.number }),
      h("span", { cls: "s-note", text: s.note || "", title: s.note || null }),
      h("button", { type: "button", cls: "small go", onclick: function () { resumeTicket(s); } },
        [bi("回来了", "Back")])
    ]));
  });
}

export function renderTally() {
  if (document.body.dataset.screen !== "console") { return; }
  var table = clear($("tally"));
  var d = desk.today;
  var counts = d ? d.outcomes || {} : {};
  ["accepted", "notice", "refused", "concluded", "consulted", "done", "no_show"].forEach(function (k) {
    var n = k === "no_show" ? (d ? d.no_show : null) : (d ? counts[k] || 0 : null);
    if (k === "done" && !n) { return; }
    table.appendChild(h("tr", { "data-outcome": k }, [
      h("th", {}, [bi(OUTCOMES[k].zh, OUTCOMES[k].en)]), h("td", { text: n === null ? "…" : String(n) })
    ]));
  });
  table.appendChild(h("tr", { cls: "total", "data-outcome": "total" }, [
    h("th", {}, [bi("办结合计", "Finished")]), h("td", { text: d ? String(d.finished) : "…" })
  ]));
  clear($("tally-note")).appendChild(bi("本窗口今日（" + (desk.day || "") + "），以服务器记录为准。",
                                       "Today at this window, as the server records it."));
}
