// 预约办理 / Book an appointment (/guide/book): choose the service (the guide's own search and
// department list), a day of the strip (closed days marked, each open one with the places left),
// one of its slots (a full one disabled), then name, ID number and phone; the server's answer is
// the booking (its code and QR, appt-view.js) or its refusal, shown beside the field it is about.
// The server decides everything: capacity, the day's cap, who may book; this page only shows.

import { card, dayEn, dayZh, hhmm, when } from "./appt-view.js";
import { bi } from "/static/shared/bilingual.js";
import { $, clear, each, h } from "/static/shared/dom.js";
import { hallBase } from "/static/shared/hall-base.js";

var API = hallBase() + "/api/v1";
var state = { item: null, date: null, slot: null, days: {}, asked: 0 };

// fetch with JSON both ways; resolves {status, data, retry} whatever the status (network: 0).
function call(method, path, body) {
  var opts = { method: method, headers: { Accept: "application/json" }, cache: "no-store" };
  if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  return fetch(API + path, opts).then(function (r) {
    return r.text().then(function (text) {
      var data = null;
      try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
      return { status: r.status, data: data, retry: Number(r.headers.get("Retry-After") || 0) };
    });
  }, function () { return { status: 0, data: null, retry: 0 }; });
}

function errorOf(res) {
  var e = (res.data && res.data.error) || {};
  if (res.status === 0) {
    return { code: "network", zh: "网络不通，请检查网络后重试", en: "The server did not answer: check the network and try again" };
  }
  var en = String(e.message || "HTTP " + res.status);
  var zh = String(e.message_zh || "");
  if (en.indexOf(zh + " / ") === 0) { en = en.slice(zh.length + 3); }
  return { code: e.code || "http_" + res.status, zh: zh, en: en };
}

// -- step 1: the service ------------------------------------------------------------------------

function wirePicker() {
  var timer = null;
  $("book-q").addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { search($("book-q").value.trim()); }, 200);
  });
  $("book-search").addEventListener("submit", function (e) {
    e.preventDefault();
    var first = document.querySelector("#book-results a");
    if (first) { location.href = first.getAttribute("href"); }
  });
}

function search(q) {
  var mine = ++state.asked;
  $("book-depts").hidden = q.length > 0;
  $("book-results").hidden = q.length === 0;
  $("book-none").hidden = true;
  if (!q) { return; }
  call("GET", "/guide/items?q=" + encodeURIComponent(q)).then(function (res) {
    if (mine !== state.asked || res.status !== 200) { return; }
    var list = clear($("book-results"));
    res.data.items.forEach(function (i) {
      list.appendChild(h("li", {}, [h("a", { href: hallBase() + "/guide/book?item=" + encodeURIComponent(i.code), "data-item": i.code }, [
        h("span", { cls: "name", text: i.name }), h("span", { cls: "en", text: i.name_en }),
        h("span", { cls: "meta", text: i.department_name })
      ])]));
    });
    $("book-none").hidden = res.data.items.length > 0;
  });
}

// -- step 2: the day and the slot ---------------------------------------------------------------

function setStep(step) { $("steps").dataset.step = step; }

function dayButton(date) { return document.querySelector('.day[data-date="' + date + '"]'); }

function dayLabel(btn, zh, en, cls) {
  var left = btn.querySelector(".left");
  clear(left).appendChild(bi(zh, en));
  btn.classList.remove("full", "closed", "open");
  if (cls) { btn.classList.add(cls); }
}

// What a day the server calls closed says on its button, by the answer's `closed.code`.
var CLOSED = {
  closed_day: ["休息", "Closed"], slot_past: ["已结束", "Over"], day_over: ["已结束", "Over"],
  beyond_horizon: ["未开放", "Not yet"], appointments_off: ["不可约", "No booking"],
  not_bookable: ["不可约", "No booking"]
};

// Reads one day's slots and writes the day's places left on its button.
function loadDay(date) {
  return call("GET", "/appointments/slots?item=" + encodeURIComponent(state.item) + "&date=" + date).then(function (res) {
    var btn = dayButton(date);
    if (res.status !== 200) {
      var e = errorOf(res);
      state.days[date] = { error: e, slots: [] };
      dayLabel(btn, "暂不可约", "unavailable", "full");
      return state.days[date];
    }
    var day = { slots: res.data.slots || [], closed: res.data.closed };
    state.days[date] = day;
    var left = day.slots.filter(open).reduce(function (n, s) { return n + s.left; }, 0);
    if (day.closed) {
      var why = CLOSED[day.closed.code] || CLOSED.appointments_off;
      dayLabel(btn, why[0], why[1], "closed");
      btn.disabled = true;
    } else if (!day.slots.length) {
      dayLabel(btn, "不可预约", "No booking", "full");
    } else if (left === 0) {
      dayLabel(btn, "已约满", "Full", "full");
    } else {
      dayLabel(btn, "余 " + left, left + " left", "open");
    }
    return day;
  });
}

// A slot that has not started yet (by the server's own clock, given with the page).
function open(slot) { return Date.parse(slot.start) > Date.now() + state.skew; }

function chooseDay(date) {
  state.date = date;
  state.slot = null;
  $("book-form").hidden = true;
  $("slot-msg").hidden = true;
  setStep("slot");
  each(".day", function (b) {
    var on = b.dataset.date === date;
    b.classList.toggle("on", on);
    b.setAttribute("aria-selected", on ? "true" : "false");
  });
  clear($("slots-day")).appendChild(bi(dayZh(date + "T00:00"), dayEn(date + "T00:00")));
  var day = state.days[date];
  (day ? Promise.resolve(day) : loadDay(date)).then(function (d) { if (state.date === date) { renderSlots(d); } });
}

function renderSlots(day) {
  var box = clear($("slots"));
  var note = $("slots-note");
  note.hidden = false;
  if (day.error) {
    clear(note).appendChild(bi(day.error.zh || "暂不可预约", day.error.en));
    return;
  }
  if (day.closed) {
    // The server's own words (closed day, today over, an item no slot fits, ...), as it says them.
    var zh = String(day.closed.message_zh || "当日不可预约"), en = String(day.closed.message || "");
    if (en.indexOf(zh + " / ") === 0) { en = en.slice(zh.length + 3); }
    var never = day.closed.code === "not_bookable";  // no other day does better
    clear(note).appendChild(bi(zh + (never ? "，请到厅取号办理。" : "，请选择其他日期。"),
      (en || "No booking that day") + (never ? ": take a number at the hall." : ": choose another day.")));
    return;
  }
  if (!day.slots.length) {
    clear(note).appendChild(bi("该事项当日没有可预约的时段，请到厅取号办理。",
      "No bookable times for this service that day: take a number at the hall."));
    return;
  }
  var left = day.slots.filter(open).reduce(function (n, s) { return n + s.left; }, 0);
  if (left === 0) {
    clear(note).appendChild(bi("当日已约满，请选择其他日期。", "This day is fully booked: choose another day."));
  } else {
    clear(note).appendChild(bi("灰色时段已约满或已过。", "Grey times are full or past."));
  }
  day.slots.forEach(function (s) {
    var past = !open(s);
    var full = !past && s.left <= 0;
    var label = past ? bi("已过", "Past") : full ? bi("已约满", "Full") : bi("余 " + s.left + " 个", s.left + " left");
    box.appendChild(h("button", {
      type: "button", cls: "slot" + (full ? " full" : "") + (past ? " past" : ""), "data-start": s.start,
      disabled: full || past, "aria-pressed": "false",
      onclick: function () { chooseSlot(s); }
    }, [h("span", { cls: "time", text: hhmm(s.start) + "–" + hhmm(s.end) }), h("span", { cls: "places" }, [label])]));
  });
}

function chooseSlot(slot) {
  state.slot = slot;
  each(".slot", function (b) {
    var on = b.dataset.start === slot.start;
    b.classList.toggle("on", on);
    b.setAttribute("aria-pressed", on ? "true" : "false");
  });
  clear($("picked")).appendChild(h("span", {}, [bi("您选择了", "You chose"), " ", when(slot.start, slot.end)]));
  $("book-form").hidden = false;
  setStep("form");
  clearMessages();
  $("book-form").scrollIntoView({ behavior: "smooth", block: "start" });
}

// -- step 3: the form ---------------------------------------------------------------------------

var FIELDS = { name: "f-name", id_number: "f-id", phone: "f-phone" };

function clearMessages() {
  Object.keys(FIELDS).forEach(function (f) { fieldMessage(f, null); });
  $("msg-form").hidden = true;
  $("slot-msg").hidden = true;
}

function fieldMessage(field, pair) {
  var msg = clear($("msg-" + field));
  $(FIELDS[field]).classList.toggle("bad", !!pair);
  $(FIELDS[field]).setAttribute("aria-invalid", pair ? "true" : "false");
  if (pair) { msg.appendChild(bi(pair[0], pair[1])); }
}

// A refusal above the form (or the slots): the server's own words when it has Chinese ones, else
// what the status means (`title`); `extra` says what to do next.
function formMessage(title, e, extra, where) {
  var box = clear($(where || "msg-form"));
  box.hidden = false;
  if (e && e.zh) { box.appendChild(h("strong", {}, [bi(e.zh, e.en || "")])); }
  else {
    box.appendChild(h("strong", {}, [bi(title[0], title[1])]));
    if (e && e.en) { box.appendChild(h("span", { cls: "why", text: e.en })); }
  }
  if (extra && !(e && e.zh && e.zh.indexOf(extra[0].replace("。", "")) >= 0)) {
    box.appendChild(h("span", { cls: "why" }, [bi(extra[0], extra[1])]));
  }
  box.scrollIntoView({ behavior: "smooth", block: "center" });
}

// Which field a 400 is about, from its code or its words.
function fieldOf(e) {
  var t = (e.code + " " + e.en + " " + e.zh).toLowerCase();
  if (/id_number|id number|身份证/.test(t)) { return "id_number"; }
  if (/phone|手机|电话/.test(t)) { return "phone"; }
  if (/\bname\b|姓名/.test(t)) { return "name"; }
  return null;
}

function readForm() {
  var a = { name: $("f-name").value.trim(), id_number: $("f-id").value.trim().toUpperCase(), phone: $("f-phone").value.trim() };
  var missing = {
    name: ["请填写姓名", "Enter your name"], id_number: ["请填写身份证号码", "Enter your ID number"],
    phone: ["请填写手机号码", "Enter your mobile number"]
  };
  var ok = true;
  Object.keys(FIELDS).forEach(function (f) {
    if (!a[f]) { fieldMessage(f, missing[f]); ok = false; }
  });
  return ok ? a : null;
}

function submit(ev) {
  ev.preventDefault();
  clearMessages();
  if (!state.slot) { return; }
  var applicant = readForm();
  if (!applicant) { return; }
  var btn = $("btn-book");
  btn.disabled = true;
  call("POST", "/appointments", { item: state.item, start: state.slot.start, applicant: applicant }).then(function (res) {
    btn.disabled = false;
    if (res.status === 201 && res.data && res.data.appointment) { done(res.data.appointment); return; }
    refused(res);
  });
}

function refused(res) {
  var e = errorOf(res);
  if (res.status === 400) {
    var field = fieldOf(e);
    if (field) { fieldMessage(field, [e.zh || "填写有误", e.en]); $(FIELDS[field]).focus(); return; }
    formMessage(["无法预约该时段", "This time cannot be booked"], e);
    reloadDay();
  } else if (res.status === 409) {
    var full = e.code === "slot_full" || e.code === "day_full";
    if (full) {
      // The time is gone: back to the slots, the refusal above them, the details kept.
      $("book-form").hidden = true;
      setStep("slot");
      formMessage(e.code === "day_full" ? ["当日该事项已约满", "This service is fully booked that day"]
        : ["该时段已约满", "This time is fully booked"], e, ["请选择其他时段。", "Please choose another time."], "slot-msg");
      reloadDay();
    } else {
      formMessage(["已有预约", "Already booked"], e);
    }
  } else if (res.status === 403) {
    formMessage(["预约功能已暂停", "Booking suspended"], e);
  } else if (res.status === 429) {
    var mins = Math.max(1, Math.ceil((res.retry || 60) / 60));
    formMessage(["操作过于频繁", "Too many bookings"], e, ["请 " + mins + " 分钟后再试。", "Try again in " + mins + " min."]);
  } else {
    formMessage(["预约未成功，请稍后再试", "The booking did not go through: try again later"], e);
  }
}

// The slots again after a refusal that says they moved (a full slot, a past one).
function reloadDay() {
  var date = state.date;
  var keep = state.slot;
  delete state.days[date];
  loadDay(date).then(function (d) {
    if (state.date !== date) { return; }
    renderSlots(d);
    var still = keep && d.slots.filter(function (s) { return s.start === keep.start && s.left > 0 && open(s); })[0];
    if (still && $("book-form").hidden === false) { chooseSlot(still); $("msg-form").hidden = false; }
    else { state.slot = null; each(".slot", function (b) { b.classList.remove("on"); }); }
  });
}

// -- step 4: booked ---------------------------------------------------------------------------------

function done(a) {
  $("booking").hidden = true;
  setStep("done");
  var box = clear($("done"));
  box.hidden = false;
  box.appendChild(card(a, true));
  box.appendChild(h("p", { cls: "keep" }, [
    h("a", { href: hallBase() + "/a/" + encodeURIComponent(a.code), id: "appt-link", cls: "book-link" },
      [bi("打开我的预约（请收藏此页）", "Open my booking (bookmark it)")])
  ]));
  box.appendChild(h("p", { cls: "hint" }, [bi("请截图保存二维码，到厅后在自助取号机扫码签到；也可在预约页面取消。",
    "Save a screenshot of the QR code and scan it at a kiosk; cancel on the booking's page.")]));
  window.scrollTo(0, 0);
}

// -- start ------------------------------------------------------------------------------------------

function start() {
  if ($("pick-item")) { wirePicker(); return; }
  if (!$("booking")) { return; }
  state.item = $("booking").dataset.item;
  state.skew = Date.parse($("booking").dataset.now || "") - Date.now() || 0;
  each(".day", function (b) {
    b.addEventListener("click", function () { if (!b.disabled) { chooseDay(b.dataset.date); } });
  });
  $("book-form").addEventListener("submit", submit);
  var dates = [];
  each(".day:not(.closed)", function (b) { dates.push(b.dataset.date); });
  var asked = new URLSearchParams(location.search).get("date");
  Promise.all(dates.map(loadDay)).then(function () {
    var first = dates.filter(function (d) {
      var day = state.days[d];
      return day && day.slots.some(function (s) { return open(s) && s.left > 0; });
    })[0];
    var date = asked && dates.indexOf(asked) >= 0 ? asked : first || dates[0];
    if (state.date) { return; }  // the visitor picked a day while the others were loading: theirs stays
    if (date) { chooseDay(date); }
    else { clear($("slots-note")).appendChild(bi("近期没有办公日可预约。", "No working day to book in the coming days.")); }
  });
}

start();
