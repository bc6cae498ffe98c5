// Paper you can see (issue 14, point 7): a document as it comes out of the printer, drawn by the
// server from the same layout (GET /api/v1/documents/{id}/preview.png), with its number, its
// verification code and a reprint button. In the demo hall, whose printers are dummy://, this is
// how a newcomer sees the slips.
//
//   import { showPaper } from "/static/paper.js";
//   showPaper(container, doc, { token: "…", window: "1" | null, onReprinted: function (res) {} });
//
// `doc` is a document as the API gives it ({id, kind_label, kind_label_en, number, verify_code,
// preview_url, ...}: finish's `document`, a transition's, /api/v1/cases/{n}/documents' entries).
// `window`: the window whose printer reprints; null lets the server take the one the staff holds.
// Any staff face may use it (the window console, the cases desk); it needs paper.css.

import { describe, request } from "/static/shared/api.js";
import { bi } from "/static/shared/bilingual.js";
import { clear, h } from "/static/shared/dom.js";
import { inHall } from "/static/shared/hall-base.js";

// The preview is fetched with the staff's token and shown as a data: URL (the pages' CSP allows
// data: images, not blob:); kept per document, so a screen that redraws does not fetch it again.
var images = {};
var drawn = {};  // the data: URLs already loaded, drawn at once when a screen redraws the widget

function loadImage(doc, token) {
  if (images[doc.id]) { return images[doc.id]; }
  var opts = { headers: { Authorization: "Bearer " + token }, cache: "no-store" };
  images[doc.id] = fetch(inHall(doc.preview_url), opts).then(function (r) {
    if (!r.ok) {
      return r.json().then(function (body) {
        var e = (body && body.error) || {};
        throw new Error((e.message_zh || "预览失败") + " / " + (e.message || "preview failed") + "（HTTP " + r.status + "）");
      }, function () { throw new Error("预览失败 / preview failed（HTTP " + r.status + "）"); });
    }
    return r.blob();
  }).then(function (blob) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { drawn[doc.id] = reader.result; resolve(reader.result); };
      reader.onerror = function () { reject(new Error("预览无法读取 / the preview could not be read")); };
      reader.readAsDataURL(blob);
    });
  });
  images[doc.id].catch(function () { delete images[doc.id]; });  // a failed fetch is tried again next time
  return images[doc.id];
}

// The last reprint's answer per document, so a screen that redraws the widget still shows it.
var notes = {};

function say(msg, note) {
  clear(msg).className = "paper-msg" + (note && note.bad ? " bad" : "");
  if (!note) { return; }
  msg.appendChild(bi(note.zh, note.en));
  if (note.detail) { msg.appendChild(document.createTextNode(note.detail)); }
}

export function showPaper(box, doc, opts) {
  opts = opts || {};
  clear(box);
  box.classList.add("paper");
  box.dataset.document = String(doc.id);
  if (!doc.preview_url) { return showWithheld(box, doc); }
  var img = h("img", { cls: "paper-img", alt: doc.kind_label + " " + doc.number + " 打印预览 print preview",
                       title: "点击放大/缩小 Click to zoom" });
  var frame = h("div", { cls: "paper-frame" }, [img]);
  var waiting = h("p", { cls: "paper-wait" }, [bi("正在生成打印预览…", "Drawing the print preview…")]);
  if (drawn[doc.id]) {
    img.src = drawn[doc.id];
  } else {
    // Hidden until drawn: a broken-image box with its alt text is not what the paper looks like.
    img.hidden = true;
    frame.classList.add("loading");
    frame.insertBefore(waiting, img);
  }
  img.addEventListener("click", function () { frame.classList.toggle("zoom"); });
  var msg = h("p", { cls: "paper-msg", role: "status" });
  var reprint = h("button", { type: "button", cls: "paper-reprint" }, [bi("补打", "Reprint")]);
  reprint.addEventListener("click", function () {
    reprint.disabled = true;
    say(msg, null);
    var body = opts.window ? { window: opts.window } : {};
    request("POST", "/documents/" + doc.id + "/reprint", body, opts.token).then(function (res) {
      var p = res.data.print;
      notes[doc.id] = p.error ? { bad: true, zh: "未能补打：", en: "Not reprinted: ", detail: p.error }
        : { zh: "已送打印机补打", en: "Sent to the printer again" };
      say(msg, notes[doc.id]);
      if (opts.onReprinted) { opts.onReprinted(res.data); }
    }, function (err) {
      notes[doc.id] = { bad: true, zh: "未能补打：", en: "Not reprinted: ", detail: describe(err) };
      say(msg, notes[doc.id]);
    }).then(function () { reprint.disabled = false; });
  });
  say(msg, notes[doc.id]);
  box.appendChild(h("div", { cls: "paper-head" }, [
    h("span", { cls: "paper-kind" }, [bi(doc.kind_label, doc.kind_label_en || "")]),
    h("span", { cls: "paper-number", text: doc.number })
  ]));
  box.appendChild(frame);
  box.appendChild(h("div", { cls: "paper-foot" }, [
    h("span", { cls: "paper-code" }, [bi("验证码", "Code"), h("code", { text: doc.verify_code })]),
    reprint
  ]));
  box.appendChild(msg);
  if (drawn[doc.id]) { return; }
  loadImage(doc, opts.token).then(function (src) {
    img.addEventListener("load", function () {
      img.hidden = false;
      if (waiting.parentNode) { frame.removeChild(waiting); }
      frame.classList.remove("loading");
    });
    img.src = src;
  }, function (err) {
    frame.classList.remove("loading");
    frame.classList.add("failed");
    clear(frame).appendChild(h("p", { cls: "paper-msg bad", text: err.message }));
  });
}

// A caller who sees the applicant masked (a manager) gets no preview_url: the paper carries the
// full name. Its number and code are shown, with why there is no picture and no reprint.
function showWithheld(box, doc) {
  box.classList.add("withheld");
  box.appendChild(h("div", { cls: "paper-head" }, [
    h("span", { cls: "paper-kind" }, [bi(doc.kind_label, doc.kind_label_en || "")]),
    h("span", { cls: "paper-number", text: doc.number })
  ]));
  box.appendChild(h("p", { cls: "paper-msg paper-withheld" }, [bi(
    "文书载有申请人完整姓名，仅本办件的窗口人员和本部门首席代表可预览、补打。",
    "The paper carries the applicant's full name: only the case's window staff and its department's chief " +
    "representative may preview or reprint it.")]));
  box.appendChild(h("div", { cls: "paper-foot" }, [
    h("span", { cls: "paper-code" }, [bi("验证码", "Code"), h("code", { text: doc.verify_code })])
  ]));
}
