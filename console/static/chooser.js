// Choosing a window to sign in at, or taking one over (article 26).

import { api } from "./api.js";
import { attach } from "./connection.js";
import { WSTATUS } from "./labels.js";
import { clearNote, note, showError } from "./notes.js";
import { renderWho, screen } from "./session.js";
import { hall, session } from "./state.js";
import { bi } from "/static/shared/bilingual.js";
import { $, clear, h } from "/static/shared/dom.js";

// -- choose a window -----------------------------------------------------------------------

export function showChooser() {
  screen("choose");
  var box = clear($("choose-groups"));
  box.appendChild(h("p", { cls: "hint", text: "加载中… Loading…" }));
  Promise.all([api("GET", "/auth/me"), api("GET", "/hall")]).then(function (res) {
    session.user = res[0].data.user; session.allowed = res[0].data.windows || [];
    renderWho();
    var states = {};
    (res[1].data.windows || []).forEach(function (w) { states[w.id] = w; });
    renderChooser(states);
  }).catch(function (err) { clear(box); showError(err); });
}

function renderChooser(states) {
  var box = clear($("choose-groups"));
  var dept = session.user && session.user.department;
  var groups = [
    { zh: "本部门窗口", en: "Your department's windows", ws: [] },
    { zh: "综合代理窗口", en: "Comprehensive proxy windows", ws: [] },
    { zh: "其他窗口", en: "Other windows", ws: [] }
  ];
  session.allowed.forEach(function (id) {
    var w = hall.windowCat[id];
    if (!w) { return; }
    if (w.kind === "proxy") { groups[1].ws.push(w); }
    else if (dept && w.department === dept) { groups[0].ws.push(w); }
    else { groups[2].ws.push(w); }
  });
  if (!session.allowed.length) {
    box.appendChild(h("p", { cls: "form-msg", text: "您没有可签到的窗口。No window allows you to sign in." }));
  }
  groups.forEach(function (g) {
    if (!g.ws.length) { return; }
    var list = h("div", { cls: "win-cards" });
    g.ws.forEach(function (w) { list.appendChild(windowCard(w, states[w.id])); });
    box.appendChild(h("section", { cls: "win-group" }, [h("h2", {}, [bi(g.zh, g.en)]), list]));
  });
  // Focus where Enter is most likely meant: your own window, else the first free one.
  var first = box.querySelector("button.win-card.mine") || box.querySelector("button.win-card:not(.taken)");
  if (first) { first.focus(); }
}

function windowCard(w, st) {
  var status = st ? st.status : "closed";
  var me = st && st.staff && session.user && st.staff.id === session.user.id;
  var who = st && st.staff ? st.staff.name : "";
  var state = me ? bi("您已在此签到·继续", "Yours: continue")
    : status === "closed" ? bi("空闲", "Free")
    : bi((WSTATUS[status] || [status])[0] + "·" + who, (WSTATUS[status] || ["", status])[1]);
  var queues = (w.queues || []).map(function (sq) {
    var q = hall.queueCat[sq.queue];
    return h("span", { cls: "q-chip", title: q ? q.name_en : "" }, [sq.queue + " " + (q ? q.name : "")]);
  });
  var card = h("button", {
    type: "button", cls: "win-card" + (me ? " mine" : "") + (status !== "closed" && !me ? " taken" : ""),
    "data-window": w.id,
    onclick: function () { choose(w.id, me); }
  }, [
    h("span", { cls: "wc-name", text: w.name }),
    h("span", { cls: "wc-en", text: w.name_en }),
    h("span", { cls: "wc-zone", text: w.zone || "" }),
    h("span", { cls: "wc-queues" }, queues),
    h("span", { cls: "wc-state s-" + (me ? "mine" : status) }, [state])
  ]);
  var offer = !me && st && st.staff && (status === "paused" || (status === "open" && oversees()));
  return h("div", { cls: "win-slot", "data-window": w.id }, [
    card,
    offer ? h("button", {
      type: "button", cls: "win-takeover", "data-window": w.id,
      title: status === "paused" ? "窗口暂停中，可由您接管（第二十六条）。The window is paused: you may cover it (article 26)."
        : "作为首席代表或管理员指派给自己。Assign it to yourself as chief representative or manager.",
      onclick: function () { takeOver(w.id, who); }
    }, [bi("接管", "Take over"), who ? h("span", { cls: "wt-from", text: "（" + who + "）" }) : null]) : null
  ]);
}

function oversees() {
  var role = session.user && session.user.role;
  return role === "chief" || role === "manager" || role === "admin";
}

// Article 26: a colleague covers a window left paused; a chief representative or manager may
// assign any. The server decides: whatever it answers is shown as it is.
function takeOver(id, from) {
  clearNote();
  api("POST", "/windows/" + encodeURIComponent(id) + "/hand-over", { username: session.user.username }).then(function () {
    attach(id);
    note("已接管" + (from ? " " + from + " 的" : "") + "窗口。You now staff this window.", "info");
  }, function (err) {
    showChooser();
    showError(err);
  });
}

function choose(id, alreadyMine) {
  clearNote();
  var opened = alreadyMine ? Promise.resolve() : api("POST", "/windows/" + encodeURIComponent(id) + "/open");
  opened.then(function () { attach(id); }, showError);
}
