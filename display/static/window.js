// The window screen (窗口屏): one window's name, department, current number, staff and status.

import { boot, clock, config, hallTime, markShown } from "./display.js";
import { $ } from "/static/shared/dom.js";

var id = String(config.window);
var info = config.windows.filter(function (w) { return w.id === id; })[0];
var queuesByCode = {};
config.queues.forEach(function (q) { queuesByCode[q.code] = q; });
var view = null;       // the window as the server last said (window_view)
var queues = {};       // the queues it serves: waiting counts

function department() {
  var d = info.department && config.departments[info.department];
  if (d) { return d; }
  return info.kind === "proxy"
    ? { name: "综合受理", name_en: "Comprehensive service" }
    : { name: "", name_en: "" };
}

function render() {
  var screen = $("screen");
  var d = department();
  $("win-dept").textContent = d.name;
  $("win-dept-en").textContent = d.name_en;
  $("win-queues").textContent = info.queues.map(function (c) {
    var q = queuesByCode[c];
    var waiting = queues[c] && queues[c].waiting != null ? " 等候 " + queues[c].waiting + " 人" : "";
    return (q ? (q.prefix || q.code) + " " + q.name : c) + waiting;
  }).join("　　");
  if (!view) { return; }
  var status = view.status;
  var current = view.current;
  var label = $("win-label");
  var number = $("win-number");
  var sub = $("win-sub");
  var mode = status;
  if (status === "open") {
    mode = current ? (current.status === "called" ? "calling" : "serving") : "idle";
  }
  screen.className = "win status-" + status + " mode-" + mode;
  screen.dataset.status = status;
  screen.dataset.mode = mode;
  if (mode === "calling") {
    label.innerHTML = "请 <b>" + current.number + "</b> 号到本窗口办理 <span class=\"en\">Now calling</span>";
    number.textContent = current.number;
    sub.textContent = "";
  } else if (mode === "serving") {
    label.innerHTML = "正在办理 <span class=\"en\">Now serving</span>";
    number.textContent = current.number;
    sub.textContent = "";
  } else if (mode === "idle") {
    label.innerHTML = "欢迎办理 <span class=\"en\">Welcome</span>";
    number.textContent = "";
    sub.innerHTML = "请留意叫号 <span class=\"en\">Please wait for your number to be called</span>";
  } else if (mode === "paused") {
    label.innerHTML = "";
    number.innerHTML = "暂停服务 <span class=\"en\">Paused</span>";
    sub.textContent = view.pause_reason ? "原因 Reason：" + view.pause_reason : "请稍候 Please wait";
  } else {
    label.innerHTML = "";
    number.innerHTML = "暂停办理 <span class=\"en\">Closed</span>";
    sub.innerHTML = "本窗口未开放 <span class=\"en\">This window is not open</span>";
  }
  number.dataset.number = (current && (mode === "calling" || mode === "serving")) ? current.number : "";
  if (number.dataset.number) { markShown(current.number); }
  var staff = view.staff;
  $("staff-name").textContent = staff ? staff.name : "—";
  $("staff-name").classList.toggle("long", !!staff && staff.name.length > 5);
  $("staff-no").textContent = staff && staff.staff_no ? staff.staff_no : "—";
  $("win-staff").classList.toggle("empty", !staff);
}

// Only the call the window is still waiting for may be announced or shown in the banner: when
// the window pauses, closes, starts serving or moves to another number, the rest is dropped at
// once (issue 9: "请A005号到1号窗口" stayed over a paused window for more than a minute).
function dropStale() {
  var player = window.__hallqDisplay && window.__hallqDisplay.player;
  if (!player || !view) { return; }
  var cur = view.current;
  var waitingFor = view.status === "open" && cur && cur.status === "called" ? cur.id : null;
  var why = view.status !== "open" ? "window_" + view.status : cur ? "ticket_" + cur.status : "window_idle";
  player.drop(function (it) { return it.ticket !== waitingFor; }, why);
}

function tick() {
  var t = hallTime();
  $("win-clock").textContent = t.date + " " + t.weekday + " " + t.hm;
  setTimeout(tick, 1000 - (clock.now() % 1000) + 5);
}

boot({
  rooms: function () { return ["window:" + id].concat(info.queues.map(function (q) { return "queue:" + q; })); },
  accept: function (call) { return String(call.window) === id; },
  onDevice: function () { render(); },
  onSnapshot: function (ack) {
    view = (ack.windows || {})[id] || view;
    queues = ack.queues || queues;
    render();
    dropStale();
  },
  onEvent: function (name, data) {
    if (name === "queue.updated" && data.queue && info.queues.indexOf(data.queue.code) >= 0) {
      queues[data.queue.code] = data.queue;
      render();
    } else if (name === "window.updated" && data.window && String(data.window.id) === id) {
      view = data.window;
      render();
      dropStale();
    } else if (name === "ticket.called" && String(data.window) === id) {
      var t = data.ticket;
      // The window.updated of the same change follows; show the number at once all the same.
      if (view) {
        view.current = { id: t.id, number: t.number, status: t.status, queue: t.queue };
        view.status = "open";
        render();
      }
      window.__hallqDisplay.player.called({
        ticket: t.id, number: t.number, window: id, window_number: data.window_number || info.number,
        window_name: data.window_name, called_at: t.called_at, recall: !!data.recall
      }, data.recall ? "recall" : "call");
    } else if (name === "ticket.updated" && view && view.current && data.ticket.id === view.current.id) {
      var u = data.ticket;
      if (u.status === "called" || u.status === "serving") {
        view.current.status = u.status;
      } else {
        view.current = null;
      }
      render();
      dropStale();
    }
  }
});
render();
tick();
