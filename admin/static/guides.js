// The guide editor (办事指南维护): an admin picks an item, edits every article 7 field of its guide
// and saves a new revision with a note of what changed; a sample form may be uploaded per material.
// The server checks the guide as it checks the hall file and answers in both languages.

import { api, ApiError, change, clearError, describe, KEY, session, showError, when } from "./api.js";
import { $, clear, h, show } from "/static/shared/dom.js";
import { hallBase } from "/static/shared/hall-base.js";

var TEXT = ["legal_basis", "conditions", "accepting_unit", "process", "fee", "fee_basis", "contact",
  "common_mistakes"];
var MATERIAL = ["code", "name", "name_en", "copies", "note", "mistakes"];
var current = null;  // {item, guide, revision, history}

function screen(name) {
  show($("screen-login"), name === "login");
  show($("screen-edit"), name === "edit");
  show($("who"), name === "edit");
}

function showLogin(message) {
  screen("login");
  $("login-msg").textContent = message || "";
}

function enter(user) {
  session.user = user;
  if (user.role !== "admin") {
    showLogin("办事指南仅由管理员修改 / Only an admin edits the service guides");
    return;
  }
  $("who").textContent = user.name || user.username;
  screen("edit");
  api("GET", "/catalog").then(function (catalog) {
    session.catalog = catalog;
    fillPicker(catalog);
    var wanted = new URLSearchParams(window.location.search).get("item");
    var first = catalog.items.filter(function (i) { return i.code === wanted; })[0] || catalog.items[0];
    $("item-select").value = first.code;
    loadItem(first.code);
  }, showError);
}

function fillPicker(catalog) {
  var select = clear($("item-select"));
  catalog.departments.forEach(function (d) {
    var items = catalog.items.filter(function (i) { return i.department === d.code; });
    if (!items.length) { return; }
    select.appendChild(h("optgroup", { label: d.name + " " + d.name_en }, items.map(function (i) {
      return h("option", { value: i.code, text: i.code + " " + i.name });
    })));
  });
}

function loadItem(code) {
  clearError();
  return api("GET", "/admin/guides/" + encodeURIComponent(code)).then(function (data) {
    current = data;
    show($("guide-reload"), false);
    var g = data.guide;
    TEXT.forEach(function (k) { $("g-" + k).value = g[k] || ""; });
    $("g-time_limit_days").value = String(g.time_limit_days);
    $("g-keywords").value = (g.keywords || []).join("，");
    $("g-note").value = "";
    $("item-public").href = hallBase() + "/guide/items/" + encodeURIComponent(code);
    $("item-revision").textContent = data.revision
      ? "当前第 " + data.revision + " 次修订 / revision " + data.revision
      : "当前为大厅配置文件的版本 / the hall file's version";
    renderMaterials(g.materials);
    renderHistory(data.history);
  }, showError);
}

function materialRow(m) {
  var cells = MATERIAL.map(function (k) {
    return h("td", {}, [h("input", { "data-k": k, value: m[k] || "", "aria-label": k, required: k === "code" || k === "name" })]);
  });
  var file = h("input", { type: "file", accept: ".pdf,.docx,.png,.jpg,.jpeg", "aria-label": "上传示范文本 Upload sample form" });
  file.addEventListener("change", function () { upload(m.code, file); });
  var sample = m.sample
    ? h("a", { href: hallBase() + "/guide/forms/" + encodeURIComponent(current.item.code) + "/" + encodeURIComponent(m.code),
      text: "已有示范文本 / has sample" })
    : h("span", { cls: "meta", text: "无 / none" });
  var remove = h("button", { type: "button", cls: "small danger", text: "删除 Remove" });
  var row = h("tr", {}, cells.concat([h("td", { cls: "sample-cell" }, [sample,
    m.code ? h("label", { cls: "upload" }, ["上传替换 Replace: ", file]) : null]),
    h("td", {}, [remove])]));
  remove.addEventListener("click", function () { row.remove(); });
  return row;
}

function renderMaterials(materials) {
  var body = clear($("materials-body"));
  materials.forEach(function (m) { body.appendChild(materialRow(m)); });
}

function renderHistory(history) {
  var body = clear($("history-body"));
  history.forEach(function (r) {
    body.appendChild(h("tr", {}, [
      h("td", { text: r.revision ? "第 " + r.revision + " 次 / #" + r.revision : "配置文件 / hall file" }),
      h("td", { text: r.created_at ? when(r.created_at) : (r.revised_on || "—") }),
      h("td", { text: r.author }),
      h("td", { text: r.note || "—" }),
    ]));
  });
}

function collect() {
  var guide = {};
  TEXT.forEach(function (k) { guide[k] = $("g-" + k).value.trim(); });
  guide.time_limit_days = parseInt($("g-time_limit_days").value, 10);
  guide.keywords = $("g-keywords").value.split(/[，,、\s]+/).filter(Boolean);
  guide.materials = Array.prototype.map.call($("materials-body").querySelectorAll("tr"), function (tr) {
    var m = {};
    Array.prototype.forEach.call(tr.querySelectorAll("input[data-k]"), function (i) { m[i.dataset.k] = i.value.trim(); });
    return m;
  });
  return guide;
}

function save(event) {
  event.preventDefault();
  var code = current.item.code;
  // base_revision: the revision this edit started from; another admin's save since is a 409, not
  // an overwrite. The edit stays on the page (to copy) and the admin is told to reload.
  var body = { guide: collect(), note: $("g-note").value, base_revision: current.revision };
  change(api("PUT", "/admin/guides/" + encodeURIComponent(code), body),
    "已保存新修订，立即生效 / Revision saved, in force now", function () { loadItem(code); }).catch(function (err) {
    if (err instanceof ApiError && err.status === 409) {
      $("item-revision").textContent = "已被他人修订，请重新加载后再修改 / Revised meanwhile: reload, then edit again";
      show($("guide-reload"), true);
      $("error").scrollIntoView({ block: "start" });  // the message is above the form; the admin is at its foot
    }
  });
}

function upload(material, input) {
  var file = input.files[0];
  if (!file) { return; }
  var reader = new FileReader();
  reader.onload = function () {
    var data = String(reader.result);
    var body = { filename: file.name, content_base64: data.slice(data.indexOf(",") + 1) };
    var code = current.item.code;
    change(api("PUT", "/admin/guides/" + encodeURIComponent(code) + "/materials/" + encodeURIComponent(material) + "/form", body),
      "示范文本已上传 / Sample form uploaded", function () { loadItem(code); }).catch(function () {});
  };
  reader.readAsDataURL(file);
}

function signIn(event) {
  event.preventDefault();
  api("POST", "/auth/login", { username: $("login-user").value.trim(), password: $("login-pass").value })
    .then(function (res) {
      session.token = res.token;
      sessionStorage.setItem(KEY + "token", res.token);
      $("login-pass").value = "";
      enter(res.user);
    }, function (err) { $("login-msg").textContent = describe(err); });
}

function boot() {
  $("login-form").addEventListener("submit", signIn);
  $("error-close").addEventListener("click", clearError);
  $("guide-form").addEventListener("submit", save);
  $("item-select").addEventListener("change", function () { loadItem($("item-select").value); });
  $("guide-reload").addEventListener("click", function () {
    show($("guide-reload"), false);
    loadItem(current.item.code);
  });
  $("material-add").addEventListener("click", function () { $("materials-body").appendChild(materialRow({})); });
  session.token = sessionStorage.getItem(KEY + "token");
  if (!session.token) { showLogin(); return; }
  api("GET", "/auth/me").then(function (me) { enter(me.user); }, function (err) {
    if (err instanceof ApiError && err.status === 401) {
      sessionStorage.removeItem(KEY + "token");
      session.token = null;
    }
    showLogin(err instanceof ApiError && err.status === 401 ? "" : describe(err));
  });
}

boot();
