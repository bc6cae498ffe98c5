// The hall a page talks to. One server may serve several halls: a hall other than its home hall
// is reached under /h/CODE/, so a page served there must call the API, link its pages and open its
// live socket under the same /h/CODE, or it would quietly talk to the home hall. "" for the home
// hall, so a page served without a prefix works as before. Static files (/static/, /audio/) are
// the same for every hall and take no base.
//
// This is the modules' copy; the classic scripts (no modules: the phone's ES5 pages) have the same
// rule as window.hallqBase from /static/hallq-live.js. Keep the two alike.

export function hallBase() {
  return (window.location.pathname.match(/^\/h\/[^\/]+/) || [""])[0];
}

// A server-relative path ("/api/v1/...", as some answers carry) within this page's hall; any other
// URL (absolute, one already under /h/, or none) as it is.
export function inHall(url) {
  return typeof url === "string" && /^\/(?!\/|h\/)/.test(url) ? hallBase() + url : url;
}
