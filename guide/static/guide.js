// The public guide: search as one types (the form still works without script), and print.

import { $, h, clear } from "/static/shared/dom.js";
import { hallBase } from "/static/shared/hall-base.js";

var timer = null;
var asked = 0;

function render(answer) {
  var list = clear($("result-list"));
  answer.items.forEach(function (i) {
    list.appendChild(h("li", {}, [h("a", { href: hallBase() + "/guide/items/" + encodeURIComponent(i.code) }, [
      h("span", { cls: "name", text: i.name }),
      h("span", { cls: "en", text: i.name_en }),
      h("span", { cls: "meta", text: i.department_name }),
    ])]));
  });
  $("result-count").textContent = String(answer.count);
  $("no-results").hidden = answer.count > 0;
}

function search(q) {
  var mine = ++asked;
  var showing = q.length > 0;
  $("results").hidden = !showing;
  $("departments").hidden = showing;
  if (!showing) { return; }
  fetch(hallBase() + "/api/v1/guide/items?q=" + encodeURIComponent(q), { cache: "no-store" })
    .then(function (r) { if (!r.ok) { throw new Error("search " + r.status); } return r.json(); })
    .then(function (answer) { if (mine === asked) { render(answer); } })
    .catch(function () { /* the form's own submit still searches */ });
}

if ($("q")) {
  $("q").addEventListener("input", function () {
    var q = $("q").value.trim();
    clearTimeout(timer);
    timer = setTimeout(function () {
      search(q);
      history.replaceState(null, "", hallBase() + (q ? "/guide/?q=" + encodeURIComponent(q) : "/guide/"));
    }, 200);
  });
}

if ($("btn-print")) {
  $("btn-print").addEventListener("click", function () { window.print(); });
}
