// /guide/progress: a case found by its number and the last four characters of the applicant's ID
// number or phone (article 21). The server decides everything; this page only asks and shows.

import { $, clear } from "/static/shared/dom.js";
import { failure, lookup, progressSections } from "/static/shared/progress-view.js";

function say(words) {
  var box = $("message");
  box.hidden = !words;
  box.textContent = words ? words.zh + " " + words.en : "";
}

function mark(field) {
  ["number", "last4"].forEach(function (f) { $(f).setAttribute("aria-invalid", String(f === field)); });
}

$("lookup").addEventListener("submit", function (ev) {
  ev.preventDefault();
  var number = $("number").value;
  var last4 = $("last4").value;
  say(null);
  mark(null);
  clear($("result"));
  if (!number.trim()) { mark("number"); say({ zh: "请输入办件编号。", en: "Enter the case number." }); return; }
  if (!last4.trim()) { mark("last4"); say({ zh: "请输入后四位。", en: "Enter the last four characters." }); return; }
  $("submit").disabled = true;
  lookup(number, last4).then(function (answer) {
    $("submit").disabled = false;
    if (answer.status === 200 && answer.data) {
      progressSections(answer.data.case, answer.data.progress_url).forEach(function (n) { $("result").appendChild(n); });
      $("result").scrollIntoView({ block: "start" });
      return;
    }
    var why = failure(answer);
    mark(why.field || null);
    say(why);
  });
});
