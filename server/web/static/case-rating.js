// 一事一评 on the case progress page (/case/TOKEN): the shared rating form, posted by the page's
// token. A classic script, like the form it mounts (rating-form.js); it posts to the hall the page
// was served for (window.hallqBase, from hallq-live.js loaded before it).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("rating-data").textContent);
  var body = document.getElementById("rating-body");
  var Form = window.HallqRatingForm;
  body.textContent = "";
  new Form(body, {
    levels: data.levels, tags: data.tags, comment: true,
    post: Form.post(window.hallqBase() + "/api/v1/case/" + encodeURIComponent(data.token) + "/rating"),
    onDone: function (kind) { Form.thanks(body, kind); }
  });
})();
