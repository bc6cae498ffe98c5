// The one DOM helper of every face (console, kiosk, displays): build elements from data, never
// from HTML strings, so a name typed by a visitor is always text. Imported as an ES module from
// /static/shared/dom.js; the phone's status page stays ES5 and builds its few nodes by hand.

export function $(id) { return document.getElementById(id); }

// h("li", {cls: "queue", "data-queue": "A", onclick: fn, text: "…"}, [child, "text", null])
// null, undefined and false leave an attribute (or a child) out; true sets it empty.
export function h(tag, attrs, children) {
  var node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) {
    var v = attrs[k];
    if (v === null || v === undefined || v === false) { return; }
    if (k === "text") { node.textContent = v; }
    else if (k === "cls") { node.className = v; }
    else if (k.slice(0, 2) === "on") { node.addEventListener(k.slice(2), v); }
    else { node.setAttribute(k, v === true ? "" : v); }
  });
  (children || []).forEach(function (c) {
    if (c === null || c === undefined || c === false) { return; }
    node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  });
  return node;
}

// The short form the kiosk and the displays draw with: a tag, its class, its text, its language.
export function el(tag, cls, text, lang) {
  return h(tag, { cls: cls || null, text: text === undefined ? null : text, lang: lang || null });
}

export function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } return node; }

export function show(node, yes) { node.hidden = !yes; }

// forEach over a selector's matches (a NodeList has no map or filter of its own).
export function each(selector, fn) { Array.prototype.forEach.call(document.querySelectorAll(selector), fn); }
