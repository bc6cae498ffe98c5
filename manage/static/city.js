// 全市大厅总览 City overview (issue 16): every hall of the installation at a glance for the city's
// managers: how many wait, the longest wait, windows open, today's numbers, the hall's own alerts
// (the most severe first) and a link to its board. The server decides the figures and who may see
// them (GET /api/v1/city); this page redraws them every REFRESH_MS, since each hall's live events
// stay in its own rooms.

import { api, ApiError, boot, clearError, describe, showError } from "./report.js";
import { bi, stopwatch } from "/static/shared/bilingual.js";
import { $, clear, h } from "/static/shared/dom.js";

var REFRESH_MS = 15000;
var LEVELS = [["critical", "严重", "critical"], ["warn", "警告", "warning"], ["info", "提示", "info"]];

// As each hall's board shows a wait (floor.js `age`): "5:51", "1h05" past the hour, "—" with
// nobody waiting; a rounded "6" min here beside "5:51" there read as two different halls.
function wait(s) {
  if (s === null || s === undefined) { return "—"; }
  var m = Math.floor(Math.max(0, s) / 60);
  return m < 60 ? stopwatch(s) : Math.floor(m / 60) + "h" + String(m % 60).padStart(2, "0");
}

// The hall's own clock when the server read it (`at`, written in the hall's time zone), not this
// PC's: the figures are the hall's, and so is the time they were true.
function updatedAt(halls) {
  var home = document.querySelector('meta[name="hallq-hall"]').content;
  var read = halls.filter(function (x) { return x.at; });
  var row = read.filter(function (x) { return x.code === home; })[0] || read[0];
  return row ? row.at.slice(11, 19) : "—";
}

function figure(value, zh, en) {
  return h("div", { cls: "figure" }, [
    h("div", { cls: "value", text: value }),
    h("div", { cls: "label" }, [zh, " ", h("span", { cls: "en", text: en })])
  ]);
}

// A staffed window on a pause is neither open nor closed: "0/10" alone read as an empty hall.
function windowsOpen(x) {
  var paused = x.windows_paused
    ? h("span", { cls: "paused" }, [" · 暂停 " + x.windows_paused + " ", h("span", { cls: "en", text: "paused" })]) : null;
  return [x.windows_open + "/" + x.windows, paused];
}

function windowsFigure(hall) {
  return h("div", { cls: "figure" }, [
    h("div", { cls: "value" }, windowsOpen(hall)),
    h("div", { cls: "label" }, ["开放窗口", " ", h("span", { cls: "en", text: "windows open" })])
  ]);
}

function worst(alerts) {
  if (alerts.critical) { return "critical"; }
  return alerts.warn ? "warn" : "";
}

function counts(alerts) {
  var shown = LEVELS.filter(function (l) { return alerts[l[0]]; });
  if (!shown.length) { return h("p", { cls: "muted" }, [bi("无告警", "no alerts")]); }
  return h("div", { cls: "alert-counts" }, shown.map(function (l) {
    return h("span", { cls: "level " + l[0] }, [l[1] + " " + alerts[l[0]], " ", h("span", { cls: "en", text: l[2] })]);
  }));
}

function card(hall) {
  if (hall.problem) {
    return h("article", { cls: "card hall unreadable", "data-hall": hall.name }, [
      h("h2", {}, [hall.name]),
      h("p", {}, [bi("无法读取该大厅的配置文件", "This hall's file cannot be read here")]),
      h("pre", { cls: "problem", text: hall.problem })
    ]);
  }
  // The server says where: within this server for a hall it serves (from its root, whichever hall
  // this page was opened under), else at the hall's own address.
  var board = hall.board_url || null;
  return h("article", { cls: "card hall " + worst(hall.alerts), "data-hall": hall.code }, [
    h("h2", {}, [hall.name, h("span", { cls: "code", text: hall.code })]),
    h("div", { cls: "en", text: hall.name_en }),
    h("div", { cls: "figures" }, [
      figure(String(hall.waiting), "等候人数", "waiting"),
      figure(hall.waiting ? wait(hall.longest_wait_s) : "—", "最长等候", "longest wait"),
      windowsFigure(hall),
      figure(hall.served_today + "/" + hall.issued_today, "今日办结/取号", "served/issued today")
    ]),
    counts(hall.alerts),
    hall.top_alerts.length ? h("ul", { cls: "top-alerts" }, hall.top_alerts.map(function (a) {
      return h("li", { cls: "alert-" + a.level }, [a.message, " ", h("span", { cls: "en", text: a.message_en })]);
    })) : null,
    // A board of this server gets the tab's sign-in (rel="opener" copies sessionStorage into the
    // new tab; token.js); another server's never sees it.
    board ? h("a", { cls: "primary", href: board, target: "_blank", rel: ownBoard(board) ? "opener" : "noopener" },
      [bi("进入该大厅监控", "Open its board")]) : null
  ].filter(Boolean));
}

function ownBoard(url) { return /^\/(?!\/)/.test(url); }

function totals(t) {
  var box = clear($("totals"));
  [[t.halls, "大厅", "halls"], [t.waiting, "等候", "waiting"], [t.waiting ? wait(t.longest_wait_s) : "—", "最长等候", "longest wait"],
   [windowsOpen(t), "开放窗口", "windows open"], [t.served_today, "今日办结", "served today"],
   [t.alerts.critical, "严重告警", "critical alerts"]].forEach(function (f) {
    box.appendChild(h("span", { cls: "total" }, [f[1], " ", h("span", { cls: "en", text: f[2] }),
      h("span", { cls: "value" }, Array.isArray(f[0]) ? f[0] : [String(f[0])])]));
  });
  box.hidden = false;
}

function refresh() {
  return api("/city").then(function (res) {
    clearError();
    totals(res.totals);
    var box = clear($("halls"));
    res.halls.forEach(function (hall) { box.appendChild(card(hall)); });
    $("updated").textContent = "更新于 Updated " + updatedAt(res.halls);
    document.body.dataset.loaded = "1";
  }).catch(function (err) {
    if (err instanceof ApiError && err.status === 403) {
      clear($("halls")).appendChild(h("p", { cls: "card", id: "not-city" }, [describe(err)]));
      document.body.dataset.loaded = "1";
      return;
    }
    showError(err);
  });
}

boot($("page"), function () {
  refresh();
  setInterval(refresh, REFRESH_MS);
});
