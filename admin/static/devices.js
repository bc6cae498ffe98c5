// Devices: the list, pairing one (its key shown here once), a kiosk's printer, a display's zone,
// windows and queues, a rating pad's window, and revoking a key (its screens drop at once). A pad
// moved to another window is revoked and paired again: its key then names the new window.

import { api, change, confirming, isAdmin, session, when } from "./api.js";
import { $, clear, h, show } from "/static/shared/dom.js";
import { bi } from "/static/shared/bilingual.js";

var KINDS = {
  kiosk: ["取号机", "Kiosk"], display: ["显示屏", "Display"], agent: ["打印代理", "Print agent"],
  platform: ["审批平台", "Platform"], rater: ["评价器", "Rating pad"]
};

function windowName(id) {
  var w = (session.catalog.windows || []).filter(function (x) { return x.id === id; })[0];
  return w ? (w.name || id + "号窗口") : id;
}

function zones() {
  var seen = {};
  (session.catalog.windows || []).forEach(function (w) { if (w.zone) { seen[w.zone] = true; } });
  return Object.keys(seen).sort();
}

function list(text) {
  // Commas only: a zone's name may hold a space ("A区 市场准入").
  return String(text || "").split(/[,，、]+/).map(function (x) { return x.trim(); }).filter(function (x) { return x; });
}

export function initDevices() {
  var kind = $("device-kind"), zone = $("device-zone"), pads = $("device-window");
  Object.keys(KINDS).forEach(function (k) { kind.appendChild(h("option", { value: k, text: KINDS[k][0] + " " + KINDS[k][1] })); });
  zone.appendChild(h("option", { value: "", text: "全部区域 All zones" }));
  zones().forEach(function (z) { zone.appendChild(h("option", { value: z, text: z })); });
  (session.catalog.windows || []).forEach(function (w) {
    pads.appendChild(h("option", { value: w.id, text: windowName(w.id) }));
  });
  var fit = function () {
    show($("device-printer"), kind.value === "kiosk");
    show(zone, kind.value === "display");
    show(pads, kind.value === "rater");
  };
  kind.addEventListener("change", fit);
  fit();
  $("device-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var body = { name: $("device-name").value.trim(), kind: kind.value };
    if (kind.value === "kiosk" && $("device-printer").value.trim()) { body.printer = $("device-printer").value.trim(); }
    if (kind.value === "display" && zone.value) { body.settings = { zone: zone.value }; }
    if (kind.value === "rater") { body.window = pads.value; }
    change(api("POST", "/admin/devices", body), "已配对 " + body.name + " / Paired", loadDevices).then(function (res) {
      $("device-form").reset();
      fit();
      $("key-value").textContent = res.key;
      show($("key-box"), true);
    }, function () {});
  });
  $("key-done").addEventListener("click", function () {
    $("key-value").textContent = "";
    show($("key-box"), false);
  });
}

export function loadDevices() {
  return api("GET", "/admin/devices").then(function (res) {
    var body = clear($("devices-body"));
    res.devices.forEach(function (d) { body.appendChild(row(d)); });
  });
}

function describeSettings(d) {
  if (d.kind === "kiosk") { return d.printer || "无打印机 No printer"; }
  if (d.kind === "rater") { return "面向 " + windowName((d.settings || {}).window) + " / faces window " + (d.settings || {}).window; }
  if (d.kind !== "display") { return "—"; }
  var s = d.settings || {}, parts = [];
  if (s.title) { parts.push(s.title); }
  if (s.zone) { parts.push("区域 zone: " + [].concat(s.zone).join("、")); }
  if (s.windows) { parts.push("窗口 windows: " + s.windows.join(",")); }
  if (s.queues) { parts.push("队列 queues: " + s.queues.join(",")); }
  return parts.length ? parts.join(" · ") : "全厅 Whole hall";
}

function row(d) {
  var k = KINDS[d.kind] || [d.kind, ""];
  var actions = h("td", { cls: "actions changes" });
  var tr = h("tr", { "data-device": d.name }, [
    h("td", { cls: "mono", text: d.name }),
    h("td", {}, [bi(k[0], k[1])]),
    h("td", { cls: "settings", text: describeSettings(d) }),
    h("td", { text: when(d.created_at) }),
    actions
  ]);
  if (isAdmin()) { fillActions(actions, d); }
  return tr;
}

function fillActions(cell, d) {
  clear(cell);
  var path = "/admin/devices/" + encodeURIComponent(d.name);
  if (d.kind === "kiosk" || d.kind === "display") {
    var edit = h("button", { type: "button", cls: "small", "data-act": "edit" }, [bi("设置", "Settings")]);
    edit.addEventListener("click", function () { editor(cell, d, path); });
    cell.appendChild(edit);
  }
  var revoke = h("button", { type: "button", cls: "small danger", "data-act": "revoke" }, [bi("吊销", "Revoke")]);
  revoke.addEventListener("click", function () {
    confirming(revoke, "确认吊销？Confirm", function () {
      change(api("DELETE", path), "已吊销 " + d.name + "，其连接已断开 / Revoked; its screens dropped", loadDevices)
        .catch(function () {});
    });
  });
  cell.appendChild(revoke);
}

function editor(cell, d, path) {
  clear(cell);
  var s = d.settings || {};
  var fields = d.kind === "kiosk"
    ? { printer: h("input", { value: d.printer || "", placeholder: "tcp://HOST:9100", "data-field": "printer" }) }
    : {
      zone: h("input", { value: s.zone ? [].concat(s.zone).join(",") : "", placeholder: "区域 Zone", "data-field": "zone" }),
      windows: h("input", { value: (s.windows || []).join(","), placeholder: "窗口 Windows: 1,2", "data-field": "windows" }),
      queues: h("input", { value: (s.queues || []).join(","), placeholder: "队列 Queues: A,B", "data-field": "queues" }),
      title: h("input", { value: s.title || "", placeholder: "标题 Title", "data-field": "title" })
    };
  var ok = h("button", { type: "button", cls: "small primary", "data-act": "save" }, [bi("保存", "Save")]);
  var cancel = h("button", { type: "button", cls: "small" }, [bi("取消", "Cancel")]);
  ok.addEventListener("click", function () {
    var body;
    if (d.kind === "kiosk") {
      body = { printer: fields.printer.value.trim() };
    } else {
      var zonesGiven = list(fields.zone.value);
      body = { settings: {
        zone: zonesGiven.length > 1 ? zonesGiven : zonesGiven[0] || null,
        windows: list(fields.windows.value).length ? list(fields.windows.value) : null,
        queues: list(fields.queues.value).length ? list(fields.queues.value) : null,
        title: fields.title.value.trim() || null
      } };
    }
    change(api("PUT", path, body), "已保存，设备即时生效 / Saved; the device has it now", loadDevices).catch(function () {});
  });
  cancel.addEventListener("click", function () { fillActions(cell, d); });
  Object.keys(fields).forEach(function (k) { cell.appendChild(fields[k]); });
  cell.appendChild(ok);
  cell.appendChild(cancel);
}
