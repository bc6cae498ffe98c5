// A name a visitor reads from across the hall is shown whole, never cut with an ellipsis: a long
// one first gets a smaller font, down to `minScale` of its own (still legible from the seats),
// then, where `wrap` allows, a second line at that size.

export function fitText(node, minScale, wrap) {
  node.style.fontSize = "";
  node.classList.remove("fit-wrap");
  if (!overflows(node)) { return; }
  var base = parseFloat(getComputedStyle(node).fontSize);
  var size = base;
  while (overflows(node) && size > base * minScale) {
    size = Math.max(base * minScale, size - 1);
    node.style.fontSize = size + "px";
  }
  if (wrap && overflows(node)) { node.classList.add("fit-wrap"); }
}

function overflows(node) { return node.scrollWidth > node.clientWidth + 1; }

// Every `selector` under `root`; after a redraw and when the screen changes size.
export function fitAll(root, selector, minScale, wrap) {
  Array.prototype.forEach.call(root.querySelectorAll(selector), function (n) { fitText(n, minScale, wrap); });
}
