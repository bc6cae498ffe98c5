// Who is signed in, as the board's header and the report pages name them: the role in both
// languages, then the person's name (a name is the person's own and has no English).

import { h } from "/static/shared/dom.js";

// The role once: the demo's "大厅主任 王敏" already carries it, so it is taken out of the name.
export function whoParts(user) {
  var roles = { manager: ["大厅主任", "Manager"], admin: ["管理员", "Admin"], chief: ["首席代表", "Chief"] };
  var role = roles[user.role] || ["", user.role || ""];
  // An account of no hall (GET /auth/me `hall: null`) manages every hall of the city, not one.
  if (user.role === "manager" && user.hall === null) { role = ["市级管理员", "City manager"]; }
  var name = String(user.name || user.username || "");
  if (role[0] && name.indexOf(role[0]) >= 0) { name = name.split(role[0]).join(" ").replace(/\s+/g, " ").trim(); }
  return { zh: role[0], en: role[1], name: name || user.username || "" };
}

export function whoLabel(user) {
  var p = whoParts(user || {});
  return h("span", {}, [h("span", { cls: "who-role", text: p.zh }), " ",
    h("span", { cls: "who-name", text: p.name }), " ", h("span", { cls: "en", text: p.en })]);
}
