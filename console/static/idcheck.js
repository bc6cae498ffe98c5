// Resident ID number (公民身份号码, GB 11643-1999) hint for the window console.
// The same rules as server/core/idnumber.py, so staff see a typo before the server refuses it:
// 18 characters, 17 digits then a digit or X, a province code, a real birth date, and the
// ISO 7064 MOD 11-2 check character. The server stays the judge; this only helps typing.
// An ES module: the console's finish and call-a-number dialogs import it.

var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
var CHECK = "10X98765432";
var PROVINCES = ("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 " +
                 "61 62 63 64 65 71 81 82 83").split(" ");

export function normalise(s) {
  // NFKC folds full-width digits and Ｘ typed with a Chinese input method; spaces carry nothing.
  return String(s || "").normalize("NFKC").replace(/\s+/g, "").toUpperCase();
}

export function checkChar(first17) {
  var sum = 0;
  for (var i = 0; i < 17; i++) { sum += Number(first17.charAt(i)) * WEIGHTS[i]; }
  return CHECK.charAt(sum % 11);
}

// {state: "empty" | "partial" | "bad" | "ok", zh, en, value, expected?}
export function check(raw, today) {
  var n = normalise(raw);
  if (!n) { return { state: "empty", zh: "", en: "", value: n }; }
  var i;
  for (i = 0; i < n.length; i++) {
    var c = n.charAt(i);
    if (!(/[0-9]/.test(c) || (i === 17 && c === "X"))) {
      return { state: "bad", value: n, zh: "第 " + (i + 1) + " 位“" + c + "”不对：前17位是数字，末位是数字或X",
               en: "character " + (i + 1) + " is '" + c + "': 17 digits, then a digit or X" };
    }
  }
  if (n.length >= 2 && PROVINCES.indexOf(n.slice(0, 2)) < 0) {
    return { state: "bad", value: n, zh: "前两位 " + n.slice(0, 2) + " 不是省级行政区划代码",
             en: "the first two digits are no province code" };
  }
  if (n.length < 18) {
    if (n.length === 15) {
      return { state: "partial", value: n, zh: "15位旧号码已停用，请输入18位号码",
               en: "15-digit first-generation numbers are no longer valid" };
    }
    return { state: "partial", value: n, zh: "还差 " + (18 - n.length) + " 位", en: (18 - n.length) + " more" };
  }
  if (n.length > 18) {
    return { state: "bad", value: n, zh: "多了 " + (n.length - 18) + " 位：身份证号为18位",
             en: (n.length - 18) + " too many: an ID number has 18 characters" };
  }
  var y = Number(n.slice(6, 10)), m = Number(n.slice(10, 12)), d = Number(n.slice(12, 14));
  var born = new Date(Date.UTC(y, m - 1, d));
  if (y < 1800 || born.getUTCFullYear() !== y || born.getUTCMonth() !== m - 1 || born.getUTCDate() !== d) {
    return { state: "bad", value: n, zh: "第7–14位出生日期不存在", en: "characters 7–14 are no real birth date" };
  }
  if (today && born.getTime() > today.getTime()) {
    return { state: "bad", value: n, zh: "出生日期晚于今天", en: "the birth date is in the future" };
  }
  var expected = checkChar(n.slice(0, 17));
  if (expected !== n.charAt(17)) {
    return { state: "bad", value: n, expected: expected,
             zh: "校验位不符：按前17位应为 " + expected + "，请逐位核对",
             en: "check digit mismatch: the first 17 give " + expected + "; a character is wrong" };
  }
  return { state: "ok", value: n, zh: "校验通过", en: "check digit OK" };
}
