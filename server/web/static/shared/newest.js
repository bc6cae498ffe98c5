// A view read again while its last read is still out (a click, then a snapshot, then an event,
// then the answer of the page's own action) must be drawn from the newest read only: answers do
// not come back in the order they were asked for, and a late one for a read sent before a change
// drew the view as it was before that change, until something else read it again.
//
//   var reads = newest();
//   var mine = reads.next();
//   api(...).then(function (res) { if (!reads.is(mine)) { return; } draw(res); });
//
// `reads.next()` with no request behind it (a snapshot that drew the view itself) sets aside the
// answers of every read sent before it.

export function newest() {
  var last = 0;
  return {
    next: function () { last += 1; return last; },
    is: function (mine) { return mine === last; }
  };
}
