// Departments → service items → the item's guide (article 7), with live waiting counts.

import { state, t, name, nameLang } from "./state.js";
import { T } from "./texts.js";
import { show } from "./view.js";
import { materialExtras, renderGuideMore } from "./guide_more.js";
import { $, each, el } from "/static/shared/dom.js";
import { hallRoot } from "/static/shared/hall-base.js";

// Loaded at start and again whenever the live connection comes (back) up or a guide is revised.
// A reload that brings the catalogue unchanged leaves the buttons alone: rebuilding them under a
// visitor's finger drops the touch (the press lands on a button that is gone by its release).
export function loadCatalog() {
  fetch(hallRoot() + "/api/v1/catalog", { cache: "no-store" })
    .then(function (r) { if (!r.ok) { throw new Error("catalog " + r.status); } return r.text(); })
    .then(function (text) {
      $("catalog-loading").hidden = true;
      if (state.catalog && text === state.catalogText) { return; }
      var catalog = JSON.parse(text);
      state.catalogText = text;
      state.catalog = catalog;
      state.depts = {};
      catalog.departments.forEach(function (d) { state.depts[d.code] = d; });
      // A guide revised while it is open: show the revision in force.
      if (state.item) { state.item = catalog.items.filter(function (i) { return i.code === state.item.code; })[0] || state.item; }
      renderHome();
      if (state.screen === "guide") { renderGuide(); }
      if (state.screen === "items") { renderItems(); }
    })
    .catch(function () {
      if (!state.catalog) { setTimeout(loadCatalog, 3000); }
    });
}

export function itemsOf(deptCode) {
  if (!state.catalog) { return []; }
  return state.catalog.items.filter(function (i) { return deptCode === null || i.department === deptCode; });
}

function queueWaiting(code) {
  var q = state.queues[code];
  return q ? q : null;
}

export function renderHome() {
  var box = $("departments");
  box.textContent = "";
  if (!state.catalog) { return; }
  state.catalog.departments.forEach(function (d) {
    var items = itemsOf(d.code);
    if (!items.length) { return; }   // a department that takes part in joint items only
    var b = el("button", "btn btn-dept");
    b.type = "button";
    b.dataset.dept = d.code;
    b.appendChild(el("span", "dept-name", name(d), nameLang(d)));
    var meta = el("span", "dept-meta");
    meta.appendChild(el("span", "", t("items_count", { n: items.length })));
    var waiting = el("span", "count");
    waiting.dataset.deptCount = d.code;
    meta.appendChild(waiting);
    b.appendChild(meta);
    b.addEventListener("click", function () { openDept(d.code); });
    box.appendChild(b);
  });
  renderCounts();
}

export function openDept(code) {
  state.dept = code;
  $("search").value = "";
  renderItems();
  show("items");
}

function matches(item, q) {
  if (!q) { return true; }
  return item.name.toLowerCase().indexOf(q) >= 0 ||
    (item.name_en || "").toLowerCase().indexOf(q) >= 0 ||
    item.code.toLowerCase() === q;
}

export function renderItems() {
  var d = state.dept ? state.depts[state.dept] : null;
  $("items-title").textContent = d ? name(d) : t("all_items");
  $("items-title").lang = d ? nameLang(d) : (state.lang === "en" ? "en" : "zh-CN");
  var q = $("search").value.trim().toLowerCase();
  $("search-clear").hidden = !q;
  var box = $("items");
  box.textContent = "";
  var shown = 0;
  itemsOf(state.dept).forEach(function (item) {
    if (!matches(item, q)) { return; }
    shown += 1;
    var b = el("button", "btn btn-item");
    b.type = "button";
    b.dataset.item = item.code;
    b.appendChild(el("span", "item-name", name(item), nameLang(item)));
    var meta = el("span", "item-meta");
    if (!state.dept && state.depts[item.department]) {
      meta.appendChild(el("span", "item-dept", name(state.depts[item.department]), nameLang(state.depts[item.department])));
    }
    var count = el("span", "count");
    count.dataset.queueCount = item.queue;
    meta.appendChild(count);
    b.appendChild(meta);
    b.addEventListener("click", function () { openItem(item); });
    box.appendChild(b);
  });
  $("items-empty").hidden = shown > 0;
  renderCounts();
}

function countText(q) {
  if (!q) { return ""; }
  if (q.unserved) { return t("unserved"); }
  return t("waiting", { n: q.waiting });
}

// Live waiting counts on every visible button, from the hall room.
export function renderCounts() {
  each("[data-queue-count]", function (e) {
    var q = queueWaiting(e.dataset.queueCount);
    e.textContent = countText(q);
    e.classList.toggle("count-unserved", !!(q && q.unserved));
  });
  each("[data-dept-count]", function (e) {
    var seen = {}, total = 0, known = false;
    itemsOf(e.dataset.deptCount).forEach(function (i) {
      if (seen[i.queue]) { return; }
      seen[i.queue] = true;
      var q = queueWaiting(i.queue);
      if (q) { known = true; total += q.waiting; }
    });
    e.textContent = known ? t("waiting", { n: total }) : "";
  });
  if (state.item) {
    var q = queueWaiting(state.item.queue);
    $("guide-waiting").textContent = q ? (q.unserved ? t("unserved") : t("waiting_now", { n: q.waiting })) : "";
    $("guide-waiting").classList.toggle("count-unserved", !!(q && q.unserved));
  }
}

export function openItem(item) {
  state.item = item;
  renderGuide();
  show("guide");
}

export function renderGuide() {
  var item = state.item;
  if (!item) { return; }
  var d = state.depts[item.department];
  $("guide-title").textContent = name(item);
  $("guide-title").lang = nameLang(item);
  $("green-item").textContent = name(item);
  $("green-item").lang = nameLang(item);
  $("guide-dept").textContent = d ? name(d) : "";
  var g = item.guide;
  $("guide-limit").textContent = g.time_limit_days === 0 ? t("on_the_spot")
    : g.time_limit_days === 1 ? t("day") : t("days", { n: g.time_limit_days });
  // The guide's fee is written in Chinese; the common "no fee" is said in the visitor's language.
  var free = g.fee === T.zh.free;
  $("guide-fee").textContent = free ? t("free") : (g.fee || "—");
  $("guide-fee").lang = free && state.lang === "en" ? "en" : "zh-CN";
  var list = $("guide-materials");
  list.textContent = "";
  g.materials.forEach(function (m) {
    var li = el("li", "material");
    li.appendChild(el("span", "material-name", name(m), nameLang(m)));
    var extra = [m.copies, m.note].filter(Boolean).join("；");
    if (extra) { li.appendChild(el("span", "material-note", extra, "zh-CN")); }
    li.appendChild(materialExtras(m));
    list.appendChild(li);
  });
  if (!g.materials.length) { list.appendChild(el("li", "material", t("no_materials"))); }
  $("guide-conditions").textContent = g.conditions || "—";
  $("guide-conditions").lang = "zh-CN";
  renderGuideMore(item);
  renderCounts();
}
