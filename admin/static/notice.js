// The hall notice: what the hall screens scroll, set here and sent to them at once.

import { api, change, when } from "./api.js";
import { $ } from "/static/shared/dom.js";

function render(notice) {
  $("notice-text").value = notice.text;
  $("notice-text-en").value = notice.text_en;
  $("notice-showing").textContent = notice.notices.join("　◆　");
  $("notice-meta").textContent = notice.updated_at
    ? "由 " + notice.updated_by + " 于 " + when(notice.updated_at) + " 发布 · published by " + notice.updated_by
    : "尚未发布，屏幕显示大厅配置的公告 · none yet: the screens show the hall config's";
}

export function loadNotice() {
  return api("GET", "/hall/notice").then(function (res) { render(res.notice); });
}

export function initNotice() {
  $("notice-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var body = { text: $("notice-text").value, text_en: $("notice-text-en").value };
    var done = body.text.trim() ? "公告已发布 / Notice published" : "公告已清除 / Notice cleared";
    change(api("PUT", "/hall/notice", body), done).then(function (res) { render(res.notice); }, function () {});
  });
}
