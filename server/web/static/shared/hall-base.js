// The hall a page talks to. One server may serve several halls: a hall other than its home hall
// is reached under /h/CODE/, so a page served there must call the API, link its pages and open its
// live socket under the same /h/CODE, or it would quietly talk to the home hall. "" for the home
// hall, so a page served without a prefix links as before. Static files (/static/, /audio/) are
// the same for every hall and take no base.
//
// This is the modules' copy; the classic scripts (no modules: the phone's ES5 pages) have the same
// rule as window.hallqBase from /static/hallq-live.js. Keep the two alike.

export function hallBase() {
  return (window.location.pathname.match(/^\/h\/[^\/]+/) || [""])[0];
}

// The code of the hall the server rendered this page for (<meta name="hallq-hall">), "" on a page
// without one.
export function hallCode() {
  var meta = document.querySelector('meta[name="hallq-hall"]');
  return meta ? meta.getAttribute("content") || "" : "";
}

// Where this page's requests go. A page without a prefix is the home hall's, but the server gives
// an unprefixed request carrying a credential to the credential's own hall (the protocol's rule
// for devices), so a page holding another hall's key or token would show that hall's data under
// the home hall's name. Such a page names its hall with the prefix; the server then refuses a
// stranger's credential as it would a wrong one.
export function hallRoot() {
  var code = hallCode();
  return hallBase() || (code ? "/h/" + encodeURIComponent(code) : "");
}

// The name a page keeps a key or token under: one per hall, so one hall's page never reads, nor on
// a refusal deletes, another hall's. The home hall's page keeps the name it always had, so a
// kiosk already paired stays paired. "hallq.kiosk.key" -> "hallq@east.kiosk.key".
export function hallStore(name) {
  var base = hallBase();
  return base ? name.replace(/^hallq/, "hallq@" + decodeURIComponent(base.slice(3))) : name;
}

// A server-relative path ("/api/v1/...", as some answers carry) within this page's hall; any other
// URL (absolute, one already under /h/, or none) as it is.
export function inHall(url) {
  return typeof url === "string" && /^\/(?!\/|h\/)/.test(url) ? hallRoot() + url : url;
}
