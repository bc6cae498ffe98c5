// Article 21's progress query by case number, as the public guide's page (/guide/progress) and the
// kiosk ask it and show its answer: the same masked view the slip's QR page (/case/<token>) shows,
// Chinese first, and a link to that page.

import { h } from "/static/shared/dom.js";
import { bi } from "/static/shared/bilingual.js";
import { hallBase } from "/static/shared/hall-base.js";

// Resolves to {status, data, retryAfter}: 200 with {case, progress_url}; 404 not_found (no such
// number, or the last four do not match: one answer); 400 naming the field; 429 with a wait.
export function lookup(number, last4, deviceKey) {
  var headers = { Accept: "application/json", "Content-Type": "application/json" };
  if (deviceKey) { headers["X-Device-Key"] = deviceKey; }
  return fetch(hallBase() + "/api/v1/progress/lookup", {
    method: "POST", headers: headers, cache: "no-store", body: JSON.stringify({ number: number, last4: last4 })
  }).then(function (r) {
    return r.text().then(function (text) {
      var data = null;
      try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
      return { status: r.status, data: data, retryAfter: Number(r.headers.get("Retry-After") || 0) };
    });
  }, function () { return { status: 0, data: null, retryAfter: 0 }; });
}

// What a failed query means to the person who typed it: [zh, en], and the field at fault if any.
export function failure(answer) {
  var err = (answer.data && answer.data.error) || {};
  if (answer.status === 404) {
    return { zh: "未查到办件：请核对办件编号及证件号码或手机号码后四位。",
             en: "No case found: check the case number and the last four characters." };
  }
  if (answer.status === 429) {
    var s = answer.retryAfter || 60;
    return { zh: "查询失败次数过多，请 " + s + " 秒后再试。", en: "Too many failed queries; try again in " + s + " s." };
  }
  if (answer.status === 400) {
    var field = (err.message || "").indexOf("last4") === 0 ? "last4" : ((err.message || "").indexOf("number") === 0 ? "number" : null);
    return { zh: err.message_zh || "填写内容有误", en: field === "last4"
      ? "Give the last four characters: digits; an ID number's may end in X."
      : "Give the case number as printed, e.g. CITY-SCJG-2026-000123.", field: field };
  }
  return { zh: "暂时无法查询，请稍后再试。", en: "The query could not be made now; try again later." };
}

function row(dtZh, dtEn, dd) {
  return [h("dt", {}, [bi(dtZh, dtEn)]), h("dd", {}, dd)];
}

function daysLeft(c) {
  if (c.days_left === null || c.days_left === undefined) { return null; }
  if (c.days_left > 0) {
    return bi("（还剩 " + c.days_left + " 个工作日）", c.days_left + (c.days_left === 1 ? " working day left" : " working days left"));
  }
  if (c.days_left === 0) { return bi("（今日到期）", "due today"); }
  return bi("（已超期）", "overdue");
}

// The sections of the progress view; `url`: the /case/<token> page, linked at the end unless null.
export function progressSections(c, url) {
  var facts = [].concat(
    row(c.number_label[0], c.number_label[1], [h("span", { cls: "case-number", text: c.number })]),
    row("办理事项", "Service", [c.item.name, h("br"), h("span", { cls: "en", text: c.item.name_en })]),
    row("主办部门", "Department", [c.department.name + " ", h("span", { cls: "en", text: c.department.name_en })]),
    row("申请人", "Applicant", [c.applicant_name]),
    row("窗口结果", "At the window", [bi(c.outcome[0], c.outcome[1])]),
    row(c.date_label[0], c.date_label[1], [c.accepted_on]),
    c.promised ? row("承诺办结", "Promised by", [c.promised + " ", daysLeft(c)]) : []
  );
  var out = [h("section", { cls: "found" }, [
    h("div", {}, [bi("办件进度", "Case progress")]),
    h("div", { cls: "status " + c.status_code }, [bi(c.status[0], c.status[1])]),
    h("dl", {}, facts)
  ])];
  if (c.reason) {
    out.push(h("section", { cls: "reason" }, [h("div", {}, [bi("说明", "Reason")]), h("p", { cls: "why", text: c.reason })]));
  }
  if (c.rights) {
    out.push(h("section", { cls: "rights" }, [h("div", {}, [bi("权利告知", "Your rights")]),
      h("p", {}, [c.rights.zh, h("br"), h("span", { cls: "en", text: c.rights.en })])]));
  }
  if (c.missing && c.missing.length) {
    out.push(h("section", { cls: "missing" }, [h("div", {}, [bi("需补正的材料", "Materials to bring")]),
      h("ol", {}, c.missing.map(function (m) {
        return h("li", {}, [m.name + " ", m.name_en ? h("span", { cls: "en", text: m.name_en }) : null]);
      }))]));
  }
  out.push(h("section", { cls: "history" }, [h("div", {}, [bi("办理过程", "History")]),
    h("table", {}, [h("tbody", {}, (c.history || []).map(function (x) {
      return h("tr", {}, [h("td", {}, [bi(x.status[0], x.status[1])]), h("td", { cls: "at", text: x.at })]);
    }))])]));
  if (url) {
    out.push(h("a", { cls: "open-page", href: url, id: "open-page" }, [bi("打开办件进度页（可收藏）", "Open the case's progress page (bookmark it)")]));
  }
  return out;
}
