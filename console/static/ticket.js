// The ticket at the window as staff work on it: its item (staff may choose another) and which
// materials they have checked, kept in sessionStorage until the ticket is finished.

import { windowQueues } from "./connection.js";
import { desk, hall, load, save, work } from "./state.js";
import { $, clear, h } from "/static/shared/dom.js";

export function currentTicket() {
  var cur = desk.wstate && desk.wstate.current;
  if (!cur) { return null; }
  return desk.ticket && desk.ticket.id === cur.id ? desk.ticket : { id: cur.id, number: cur.number, status: cur.status, queue: cur.queue };
}

// The item the service is for: the ticket's, unless staff chose another (a visitor who took a
// number for a neighbouring item, or a number taken for a queue with no item): sent as "item".
function itemCodeOf(t) {
  if (!t) { return null; }
  if (work.itemFor[t.id] === undefined) { work.itemFor[t.id] = load(sessionStorage, "item:" + t.id, null); }
  return work.itemFor[t.id] || t.item || null;
}

export function itemOf(t) { var code = itemCodeOf(t); return code ? hall.items[code] || null : null; }

export function materialsOf(t) {
  var item = itemOf(t);
  return item ? item.guide.materials : [];
}

function windowItems() {
  var qs = windowQueues();
  return hall.catalog.items.filter(function (i) { return qs.indexOf(i.queue) >= 0; });
}

export function renderItemChoice(t) {
  var sel = clear($("t-item-select"));
  var code = itemCodeOf(t);
  var items = windowItems();
  if (code && !items.some(function (i) { return i.code === code; }) && hall.items[code]) { items.unshift(hall.items[code]); }
  if (!code) { sel.appendChild(h("option", { value: "", text: "— 请选择办理事项 Choose the item —" })); }
  items.forEach(function (i) {
    sel.appendChild(h("option", { value: i.code, selected: i.code === code ? true : null,
                                  text: i.code + " " + i.name + (i.code === t.item ? "（取号事项 on the ticket）" : "") }));
  });
  sel.value = code || "";
}

export function checksOf(t) {
  if (!work.checks[t.id]) { work.checks[t.id] = load(sessionStorage, "checks:" + t.id, {}); }
  return work.checks[t.id];
}

export function setCheck(t, code, on) {
  var c = checksOf(t);
  c[code] = !!on;
  save(sessionStorage, "checks:" + t.id, c);
}
