// Taking a number: one POST per press (with a request key, so a retry never makes a second
// ticket), then the result screen, or why no number was issued.

import { loadCatalog } from "./catalog.js";
import { stopLive, storage } from "./pairing.js";
import { state, t, name } from "./state.js";
import { ERRORS } from "./texts.js";
import { renderCountdown, setOnline, setPrinter, show } from "./view.js";
import { $, el } from "/static/shared/dom.js";
import { hhmm, parts } from "/static/shared/bilingual.js";
import { hallBase, hallRoot } from "/static/shared/hall-base.js";

var REQUEST_TIMEOUT_MS = 10000;

// -- taking a number ----------------------------------------------------------------------

// `notice`: a returning visitor's notice (its number or QR text): the number is for its item.
export function take(reason, notice) {
  if (!state.online || state.busy || (!state.item && !notice)) { return; }
  state.busy = true;
  state.notice = notice || null;
  show("busy");
  var body = notice ? { notice: notice } : { item: state.item.code };
  if (reason) { body.priority = "green"; body.green_reason = reason; }
  // One key per press, kept until the server answers: if the answer is lost (network, time-out)
  // and the visitor tries again, the server returns the ticket it already made, not a second one.
  var press = notice ? "notice|" + notice : reason ? state.item.code + "|" + reason : state.item.code;
  if (!state.pending || state.pending.press !== press) { state.pending = { press: press, id: requestId() }; }
  body.request_id = state.pending.id;
  var ctrl = typeof AbortController === "function" ? new AbortController() : null;
  var timer = setTimeout(function () { if (ctrl) { ctrl.abort(); } }, REQUEST_TIMEOUT_MS);
  fetch(hallRoot() + "/api/v1/tickets", {
    method: "POST",
    cache: "no-store",
    headers: { "Content-Type": "application/json", "X-Device-Key": state.key },
    body: JSON.stringify(body),
    signal: ctrl ? ctrl.signal : undefined
  })
    .then(function (r) {
      return r.json().catch(function () { return null; }).then(function (data) { return { status: r.status, data: data }; });
    })
    .then(function (res) {
      var tk = res.data && res.data.ticket;
      state.pending = null;
      if (res.status === 201 && tk && typeof tk.number === "string" && tk.number && typeof tk.id === "string") {
        showResult(tk);
      } else {
        showError(res.status, res.data && res.data.error, !!notice);
      }
    })
    .catch(function () { showError(0, null); })
    .then(function () { clearTimeout(timer); state.busy = false; });
}

function requestId() {
  var bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
}

export function showError(status, error, forNotice) {
  var kind;
  if (status === 0) { kind = "network"; }
  else if (forNotice && status === 404) { kind = "notice_unknown"; }
  else if (forNotice && status === 429) { kind = "notice_wait"; }
  else if (status === 409) { kind = "not_issuing"; }
  else if (status === 401) { kind = "unauthorized"; }
  else if (status === 403) { kind = "forbidden"; }
  else if (status === 404) { kind = "not_found"; loadCatalog(); }
  else { kind = "server"; }
  var e = ERRORS[kind];
  state.error = { kind: kind, status: status };
  $("error-title").textContent = e[0];
  $("error-title-en").textContent = e[1];
  $("error-body").textContent = e[2];
  $("error-body-en").textContent = e[3];
  // The server's own words when it gave any: a refusal says "中文 / English", one line each.
  var detail = $("error-detail");
  detail.textContent = "";
  var message = error && error.message && kind !== "server" ? String(error.message) : "";
  parts(message).forEach(function (part, i) {
    detail.appendChild(el("span", "error-detail-line", part, i === 0 ? "zh-CN" : "en"));
  });
  detail.hidden = !message;
  $("error-back").hidden = (!state.item && !forNotice) || kind === "unauthorized" || kind === "forbidden";
  show("error");
  if (kind === "unauthorized") {
    // The key was revoked: forget it, so the next screen is the pairing screen, not a dead end.
    stopLive();
    state.key = null;
    storage("del");
    setOnline(false, false);
  }
}

export function showResult(ticket) {
  state.ticket = ticket;
  renderResult();
  show("result");
  renderCountdown();
}

// Under the number: why no window serves it, or (a late check-in) why it is a normal number.
function renderWarning(tk) {
  var box = $("result-warning");
  var lines = tk.checkin_late ? tk.checkin_late : tk.warning ? [tk.warning] : [];
  box.hidden = !lines.length;
  box.textContent = "";
  lines.forEach(function (line, i) { box.appendChild(el("span", "warning-line", line, i ? "en" : null)); });
}

// The estimated range in words (wait.js, a classic script the page loads first), never a
// single false minute; unknown when no open window serves the queue.
function waitText(tk) {
  var words = tk.warning ? null : window.HallqWait.words(tk);
  if (!words) { return t("wait_unknown"); }
  return state.lang === "en" ? words[1] : words[0];
}

export function renderResult() {
  var tk = state.ticket;
  if (!tk) { return; }
  $("result-number").textContent = tk.number;
  var item = state.catalog && state.catalog.items.filter(function (i) { return i.code === tk.item; })[0];
  var itemName = state.lang === "en" ? (tk.item_name_en || tk.item_name) : tk.item_name;
  $("result-item").textContent = itemName || (state.lang === "en" ? tk.queue_name_en : tk.queue_name);
  var d = state.depts[tk.department || (item && item.department)];
  $("result-dept").textContent = d ? name(d) : "";
  $("result-ahead").textContent = t("people", { n: tk.ahead });
  var w = waitText(tk);
  $("result-wait").textContent = w;
  $("result-wait").classList.toggle("unknown", w === t("wait_unknown"));
  renderWarning(tk);
  var green = tk.priority === "green";
  $("result-green").hidden = !green;
  $("result-green").textContent = green ? t("green_tag", { r: t("r_" + (tk.green_reason || "elderly")) }) : "";
  if (green && !tk.green_reason) { $("result-green").textContent = t("green_title"); }
  if (tk.follows_case) {
    $("result-green").hidden = false;
    $("result-green").textContent = t("return_tag", { n: tk.follows_case });
  }
  // A booking checked in (checkin.js): its slot, in both languages whichever is chosen.
  var appt = tk.priority === "appointment" && tk.appointment;
  $("result-green").classList.toggle("appt-tag", !!appt);
  if (appt) {
    $("result-green").hidden = false;
    $("result-green").textContent = "预约 Appointment · " + hhmm(appt.start) + "-" + hhmm(appt.end);
  }
  // Whether paper comes out decides what the visitor must do to keep the number (issue 3, 4).
  var printer = tk.print && tk.print.printer_status;
  if (tk.print && printer === "unknown" && state.printerStatus) { printer = state.printerStatus; }
  if (tk.print && printer !== "unknown") { setPrinter(printer); }
  var keep = !tk.print ? "keep_no_printer"
    : (printer === "offline" || printer === "paper_out") ? "keep_printer_out"
      : printer === "online" || printer === "paper_near_end" ? "keep_printed" : "keep";
  $("keep").textContent = t(keep);
  $("keep").classList.toggle("keep-alert", keep === "keep_printer_out" || keep === "keep_no_printer");
  // The page's own address, as a link: it carries no key, so no prefix is the home hall anyway.
  var src = hallBase() + "/t/" + encodeURIComponent(tk.id) + "/qr.svg";
  if ($("result-qr").getAttribute("src") !== src) { $("result-qr").setAttribute("src", src); }
  $("result-qr").alt = t("qr_alt", { url: tk.status_url });
}
