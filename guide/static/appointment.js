// The booking's own page (/a/<code>, the target of its QR code): the same confirmation as the
// booking page, the status kept live (read again every 20 s and when the phone comes back to the
// page: booked → checked in with the ticket's number, cancelled, missed; no more once cancelled or
// missed), and the cancel form (the last four of the ID number or phone). The server decides; a refusal shows in its words.

import { card } from "./appt-view.js";
import { bi } from "/static/shared/bilingual.js";
import { $, clear, h } from "/static/shared/dom.js";
import { hallBase } from "/static/shared/hall-base.js";

var EVERY_MS = 20000;
var box = $("appointment");
var code = box.dataset.code;
var shown = null;

function call(method, path, body) {
  var opts = { method: method, headers: { Accept: "application/json" }, cache: "no-store" };
  if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  return fetch(hallBase() + "/api/v1/appointments/" + encodeURIComponent(code) + path, opts).then(function (r) {
    return r.text().then(function (text) {
      var data = null;
      try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
      return { status: r.status, data: data };
    });
  }, function () { return { status: 0, data: null }; });
}

function words(res) {
  var e = (res.data && res.data.error) || {};
  var zh = String(e.message_zh || ""), en = String(e.message || "");
  if (en.indexOf(zh + " / ") === 0) { en = en.slice(zh.length + 3); }
  return bi(zh, en);
}

var FINAL = { cancelled: true, no_show: true };  // nothing changes any more: polling stops
var poll = null;
var cancelledHere = false;  // the 已取消预约 banner stays over the card, whatever reads follow

function render(a) {
  var key = JSON.stringify(a);
  if (FINAL[a.status] && poll !== null) { clearInterval(poll); poll = null; }
  if (key === shown) { return; }
  shown = key;
  clear(box).appendChild(card(a, false));
  if (cancelledHere && a.status === "cancelled") { banner(); }
  box.dataset.status = a.status;
  $("cancel-box").hidden = a.status !== "booked";
}

function banner() {
  box.insertBefore(h("p", { cls: "ok-head", id: "cancelled-ok" }, [bi("已取消预约", "Booking cancelled")]), box.firstChild);
}

function load() {
  return call("GET", "").then(function (res) {
    if (res.status === 200 && res.data && res.data.appointment) { render(res.data.appointment); return; }
    if (res.status === 404) {
      shown = null;
      clear(box).appendChild(h("div", { cls: "appt-card missing", id: "appt-missing" }, [
        h("p", { cls: "ok-head" }, [bi("没有找到这个预约", "No such booking")]),
        h("p", {}, [bi("请核对预约码；预约码不区分大小写。", "Check the booking code (letters in any case).")]),
        h("p", {}, [h("a", { href: hallBase() + "/guide/book", cls: "book-link" }, [bi("重新预约", "Book again")])])
      ]));
      $("cancel-box").hidden = true;
    } else if (!shown) {
      clear(box).appendChild(h("p", { cls: "form-msg" }, [bi("暂时无法读取预约，稍后自动重试。", "Cannot read the booking now; retrying soon.")]));
    }
  });
}

function cancel(ev) {
  ev.preventDefault();
  var last4 = $("f-last4").value.trim().toUpperCase();
  var msg = clear($("msg-last4"));
  $("f-last4").classList.remove("bad");
  if (!/^[0-9X]{4}$/.test(last4)) {
    msg.appendChild(bi("请输入四位数字（身份证末位可为 X）", "Enter four characters: digits, or X at the end of an ID number"));
    $("f-last4").classList.add("bad");
    return;
  }
  $("btn-cancel").disabled = true;
  call("POST", "/cancel", { last4: last4 }).then(function (res) {
    $("btn-cancel").disabled = false;
    if (res.status === 200 && res.data && res.data.appointment) {
      cancelledHere = true;
      shown = null;
      render(res.data.appointment);
      return;
    }
    $("f-last4").classList.add("bad");
    if (res.status === 404) {
      msg.appendChild(bi("后四位不正确，请核对身份证号码或手机号码", "The last four do not match the ID number or phone"));
    } else if (res.status === 409) {
      msg.appendChild(words(res));
      load();
    } else if (res.status === 429) {
      msg.appendChild(bi("尝试次数过多，请稍后再试", "Too many tries: try again later"));
    } else {
      msg.appendChild(!res.status ? bi("网络不通，请重试", "No network: try again")
        : res.data && res.data.error ? words(res) : bi("取消未成功，请稍后再试", "Could not cancel, try again later"));
    }
  });
}

$("cancel-form").addEventListener("submit", cancel);
document.addEventListener("visibilitychange", function () { if (!document.hidden && poll !== null) { load(); } });
poll = setInterval(function () { if (!document.hidden) { load(); } }, EVERY_MS);
load();
