// Today's tickets (查号), found by number or part of it, with the monitor's actions: transfer,
// priority, cancel, reactivate a no-show, force-finish a service left open. Each asks its reason.

import { api, describe, missing, unavailable } from "./api.js";
import { hall, queueVisible } from "./state.js";
import { bi, hhmm } from "/static/shared/bilingual.js";
import { $, clear, h } from "/static/shared/dom.js";
import { newest } from "/static/shared/newest.js";

var last = { q: "" };

var ACTIONS = [
  ["transfer", "转移", "Transfer", ["waiting", "called", "serving"]],
  ["priority", "优先/取消优先", "Priority", ["waiting"]],
  ["cancel", "取消", "Cancel", ["waiting", "called"]],
  ["reactivate", "恢复", "Reactivate", ["no_show"]],
  ["force-finish", "强制办结", "Force finish", ["called", "serving"]]
];

export function renderTickets(box) {
  clear(box);
  var input = h("input", { id: "t-search", placeholder: "号码 如 A012 Number", maxlength: "16", value: last.q, spellcheck: "false" });
  var out = h("div", { id: "t-results" });
  var form = h("form", { cls: "t-search" }, [input, h("button", { type: "submit", cls: "small primary" }, [bi("查找", "Find")])]);
  form.addEventListener("submit", function (e) { e.preventDefault(); last.q = input.value.trim(); search(out); });
  box.appendChild(form);
  box.appendChild(out);
  if (last.q) { search(out); }
}

// Searched on the tab, on 查找 and after each action: only the newest search draws.
var searches = newest();

function search(out) {
  var mine = searches.next();
  api("GET", "/manage/tickets?q=" + encodeURIComponent(last.q)).then(function (res) {
    if (!searches.is(mine)) { return; }
    clear(out);
    var list = h("ul", { cls: "tickets" });
    (res.tickets || []).filter(function (t) { return queueVisible(t.queue); }).forEach(function (t) {
      list.appendChild(h("li", { cls: "t-row", "data-ticket": t.id }, [
        h("b", { text: t.number }), " " + (t.status_label ? t.status_label.zh || t.status : t.status) + " ",
        h("span", { cls: "muted", text: (t.queue_name || t.queue) + " · " + hhmm(t.issued_at) + (t.window ? " · 窗口" + t.window : "") +
          (t.priority === "green" ? " · 绿色通道" : "") }),
        h("div", { cls: "t-acts" }, ACTIONS.filter(function (a) { return a[3].indexOf(t.status) >= 0; }).map(function (a) {
          return h("button", { type: "button", cls: "small", "data-act": a[0], onclick: function () { act(t, a, out); } },
            [bi(a[1], a[2])]);
        }))]));
    });
    if (!list.firstChild) { list.appendChild(h("li", { cls: "none" }, [bi("今日无此号", "No such ticket today")])); }
    out.appendChild(list);
  }, function (err) {
    if (!searches.is(mine)) { return; }
    if (missing(err)) { unavailable(out); } else { clear(out).appendChild(h("p", { cls: "form-msg", text: describe(err) })); }
  });
}

function act(t, a, out) {
  var dlg = $("dlg-act");
  clear($("act-title")).appendChild(h("span", {}, [a[1] + " " + t.number + " ", h("span", { cls: "en", text: a[2] })]));
  $("act-target-row").hidden = a[0] !== "transfer";
  var target = clear($("act-target"));
  if (a[0] === "transfer") {
    hall.catalog.queues.forEach(function (q) { if (q.code !== t.queue) { target.appendChild(h("option", { value: q.code, text: q.code + " " + q.name })); } });
  }
  $("act-reason").value = "";
  $("act-msg").textContent = "";
  dlg.onsubmit = function (e) {
    e.preventDefault();
    var body = { reason: $("act-reason").value.trim() };
    if (a[0] === "transfer") { body.queue = target.value; }
    if (a[0] === "priority") { body.priority = t.priority === "green" ? "normal" : "green"; }
    api("POST", "/manage/tickets/" + encodeURIComponent(t.id) + "/" + a[0], body).then(function () {
      dlg.close();
      search(out);
    }, function (err) { $("act-msg").textContent = missing(err) ? "功能未启用 / not available" : describe(err); });
  };
  dlg.showModal();
}

export function wireTicketDialog() {
  Array.prototype.forEach.call(document.querySelectorAll("#dlg-act [data-close]"), function (b) {
    b.addEventListener("click", function () { $("dlg-act").close(); });
  });
}
