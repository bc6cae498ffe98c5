// The rest of an item's guide on the kiosk (article 7): the fields beyond the time limit, fee,
// materials and conditions that catalog.js draws: accepting unit, legal basis, process, fee basis,
// enquiries, common mistakes, each material's mistakes and sample form, and the revision.
// The guide's own text is Chinese; the labels follow the kiosk's language.

import { state } from "./state.js";
import { clear, el, h } from "/static/shared/dom.js";

var L = {
  zh: { unit: "受理单位", basis: "办理依据", process: "基本流程", fee_basis: "收费依据", contact: "咨询方式",
    mistakes: "常见错误示例", revised: "修订日期", changed: "修订说明", sample: "有示范文本，可在大厅公开指南页面下载",
    material_mistakes: "常见错误：" },
  en: { unit: "Accepting unit", basis: "Legal basis", process: "Process", fee_basis: "Fee basis",
    contact: "Enquiries", mistakes: "Common mistakes", revised: "Revised", changed: "What changed",
    sample: "Sample form: download it from the public guide", material_mistakes: "Common mistakes: " }
};

function word(key) { return (L[state.lang] || L.zh)[key]; }

// Under one material of the list: its common mistakes and whether a sample form exists.
export function materialExtras(m) {
  var box = h("span", { cls: "material-extra" });
  if (m.mistakes) { box.appendChild(el("span", "material-mistakes", word("material_mistakes") + m.mistakes, "zh-CN")); }
  if (m.sample) { box.appendChild(el("span", "material-sample", word("sample"))); }
  return box;
}

export function renderGuideMore(item) {
  var box = clear(document.getElementById("guide-more"));
  var g = item.guide;
  var rows = [["unit", g.accepting_unit], ["basis", g.legal_basis], ["process", g.process],
    ["fee_basis", g.fee_basis], ["contact", g.contact], ["mistakes", g.common_mistakes]];
  if (g.revision) {
    rows.push(["revised", g.revision.revised_on]);
    rows.push(["changed", g.revision.note]);
  }
  rows.forEach(function (r) {
    if (!r[1]) { return; }
    box.appendChild(el("dt", "more-label", word(r[0])));
    box.appendChild(el("dd", "more-value", r[1], "zh-CN"));
  });
}
