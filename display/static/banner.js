// The call banner over the screen's header: one line, as large as fits, and never up for long.

var bannerTimer = null;

// The banner never outlives `maxMs`, whatever the sound does: a stalled or slow player must not
// leave a call on screen that the hall has moved past (issue 9).
export function showBanner(text, textEn, maxMs) {
  var banner = document.getElementById("banner");
  var line = document.getElementById("banner-text");
  line.textContent = text;
  document.getElementById("banner-text-en").textContent = textEn || "";
  banner.hidden = false;
  clearTimeout(bannerTimer);
  if (maxMs > 0) { bannerTimer = setTimeout(hideBanner, maxMs); }
  // One line, as large as fits; two balanced lines only when even half the size does not fit.
  line.style.fontSize = "";
  line.style.whiteSpace = "nowrap";
  var room = banner.clientWidth * 0.92 - 2 * parseFloat(getComputedStyle(line.parentNode).paddingLeft);
  var size = parseFloat(getComputedStyle(line).fontSize);
  var least = size * 0.5;
  while (line.scrollWidth > room && size > least) {
    size *= 0.93;
    line.style.fontSize = size + "px";
  }
  if (line.scrollWidth > room) { line.style.whiteSpace = "normal"; }
}

export function hideBanner() {
  clearTimeout(bannerTimer);
  bannerTimer = null;
  document.getElementById("banner").hidden = true;
}
