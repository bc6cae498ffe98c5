// The 好差评 rating form every rating face shares: the window's pad (rater/), the ticket's phone
// page (kiosk/ /t/ID) and the case progress page (/case/TOKEN).
//
// Five levels, 非常满意 (5) first down to 非常不满意 (1), Chinese first and English second; for the
// two poor levels the hall's reason tags, then a submit button. With `instant` (the pad) a tap
// on 3-5 sends at once; with `comment` (phone, case) an optional comment box comes before the
// submit. The server decides (POST answered 201, 409 already_rated, 400 ...); the form only says
// what it answered. A classic ES5 script (window.HallqRatingForm), because the phone page is ES5
// for old phones' browsers; the pad's modules use it the same way.
(function (global) {
  "use strict";

  function node(tag, cls, text, lang) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text !== undefined && text !== null) { n.textContent = text; }
    if (lang) { n.lang = lang; }
    return n;
  }

  function bi(tag, cls, zh, en) {
    var n = node(tag, cls);
    n.appendChild(node("span", "zh", zh));
    n.appendChild(document.createTextNode(" "));
    n.appendChild(node("span", "en", en, "en"));
    return n;
  }

  // options: {levels, tags, post(body) -> Promise<{status, body}>, instant, comment,
  //           onTouch(), onDone(kind, answer)}; kind is "rated", "already" or "error".
  // close() retires a form (its box now shows another): an answer still in flight for it is
  // then dropped, so it can neither call onDone nor draw over the form that replaced it.
  function RatingForm(box, options) {
    this.box = box;
    this.o = options;
    this.level = null;
    this.tags = [];
    this.sending = false;
    this.closed = false;
    this.render();
  }

  RatingForm.prototype.close = function () { this.closed = true; };

  RatingForm.prototype.touch = function () { if (this.o.onTouch) { this.o.onTouch(); } };

  RatingForm.prototype.render = function () {
    var self = this, o = this.o;
    this.box.textContent = "";
    this.box.className = (this.box.className.replace(/\brating-form\b/g, "") + " rating-form").trim();
    var levels = node("div", "rating-levels");
    levels.setAttribute("role", "group");
    levels.setAttribute("aria-label", "评价等级 Rating");
    (o.levels || []).forEach(function (lv) {
      var b = bi("button", "rating-level level-" + lv.level + (lv.poor ? " poor" : ""), lv.name, lv.name_en);
      b.type = "button";
      b.setAttribute("data-level", String(lv.level));
      b.setAttribute("aria-pressed", String(self.level === lv.level));
      b.addEventListener("click", function () { self.choose(lv); });
      levels.appendChild(b);
    });
    this.box.appendChild(levels);

    var chosen = this.chosen();
    if (chosen && chosen.poor && (o.tags || []).length) {
      var tagBox = node("div", "rating-tags");
      tagBox.appendChild(bi("div", "rating-tags-title", "请选择不满意的原因（可多选）", "What went wrong? (choose any)"));
      (o.tags || []).forEach(function (t) {
        var on = self.tags.indexOf(t.code) >= 0;
        var b = bi("button", "rating-tag" + (on ? " on" : ""), t.name, t.name_en);
        b.type = "button";
        b.setAttribute("data-tag", t.code);
        b.setAttribute("aria-pressed", String(on));
        b.addEventListener("click", function () { self.toggle(t.code); });
        tagBox.appendChild(b);
      });
      this.box.appendChild(tagBox);
    }
    if (chosen && o.comment) {
      var label = node("label", "rating-comment-label");
      label.appendChild(bi("span", "rating-comment-title", "意见或建议（可不填）", "Comment (optional)"));
      var area = node("textarea", "rating-comment");
      area.id = "rating-comment";
      area.maxLength = 500;
      area.rows = 3;
      area.value = this.comment || "";
      area.addEventListener("input", function () { self.comment = area.value; self.touch(); });
      label.appendChild(area);
      this.box.appendChild(label);
    }
    if (chosen && (!o.instant || chosen.poor)) {
      var send = bi("button", "rating-submit", "提交评价", "Submit");
      send.type = "button";
      send.disabled = this.sending;
      send.addEventListener("click", function () { self.send(); });
      this.box.appendChild(send);
    }
    if (this.sending) {
      this.box.appendChild(bi("p", "rating-sending", "提交中…", "Sending…"));
    }
    this.error = node("p", "rating-error");
    this.error.setAttribute("role", "alert");
    this.error.hidden = true;
    this.box.appendChild(this.error);
  };

  RatingForm.prototype.chosen = function () {
    var level = this.level;
    return (this.o.levels || []).filter(function (lv) { return lv.level === level; })[0] || null;
  };

  RatingForm.prototype.choose = function (lv) {
    this.touch();
    if (this.sending) { return; }
    this.level = lv.level;
    if (!lv.poor) { this.tags = []; }
    if (this.o.instant && !lv.poor) { this.send(); return; }
    this.render();
  };

  RatingForm.prototype.toggle = function (code) {
    this.touch();
    var at = this.tags.indexOf(code);
    if (at >= 0) { this.tags.splice(at, 1); } else { this.tags.push(code); }
    this.render();
  };

  RatingForm.prototype.send = function () {
    var self = this;
    if (this.sending || this.level === null) { return; }
    this.sending = true;
    this.render();
    var body = { level: this.level, tags: this.chosen().poor ? this.tags.slice() : [] };
    if (this.o.comment && (this.comment || "").trim()) { body.comment = this.comment.trim(); }
    this.o.post(body).then(function (answer) {
      if (self.closed) { return; }
      self.sending = false;
      var code = answer.body && answer.body.error && answer.body.error.code;
      if (answer.status === 201) { self.o.onDone("rated", answer.body); return; }
      if (code === "already_rated") { self.o.onDone("already", answer.body); return; }
      self.render();
      self.fail(answer.body && answer.body.error);
    }, function () {
      if (self.closed) { return; }
      self.sending = false;
      self.render();
      // On the pad a tap on 3-5 is the send: the visitor taps the level again, there is no button.
      self.fail(self.o.instant
        ? { message_zh: "网络异常，请重新点选", message: "Network error. Please tap your rating again" }
        : { message_zh: "网络异常，请重试", message: "Network error: please try again" });
    });
  };

  RatingForm.prototype.fail = function (error) {
    this.error.textContent = ((error && error.message_zh) || "提交失败") + " " + ((error && error.message) || "");
    this.error.hidden = false;
  };

  // POST `url` with the JSON body (and `headers`): resolves {status, body} whatever the status;
  // rejects on a network error or when no answer came within `timeoutMs` (default 15 s), so a
  // stalled post never leaves the form saying 提交中 for good.
  RatingForm.post = function (url, headers, timeoutMs) {
    return function (body) {
      var h = { "Content-Type": "application/json" };
      Object.keys(headers || {}).forEach(function (k) { h[k] = headers[k]; });
      var init = { method: "POST", headers: h, body: JSON.stringify(body), cache: "no-store" };
      var timer = null;
      if (global.AbortController) {
        var abort = new global.AbortController();
        init.signal = abort.signal;
        timer = global.setTimeout(function () { abort.abort(); }, timeoutMs || 15000);
      }
      var done = function () { if (timer !== null) { global.clearTimeout(timer); } };
      return global.fetch(url, init)
        .then(function (r) {
          done();
          return r.json().then(function (b) { return { status: r.status, body: b }; },
            function () { return { status: r.status, body: null }; });
        });
    };
  };

  // The words shown once a rating is in (or was in already).
  RatingForm.thanks = function (box, kind) {
    box.textContent = "";
    var already = kind === "already";
    box.appendChild(bi("div", "rating-thanks" + (already ? " already" : ""),
      already ? "您已评价过，感谢您的支持" : "感谢您的评价",
      already ? "This service has already been rated. Thank you." : "Thank you for your rating"));
  };

  global.HallqRatingForm = RatingForm;
})(window);
