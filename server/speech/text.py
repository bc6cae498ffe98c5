"""The words of a call, spelled so that espeak-ng says them the way a Chinese hall does.

Reading rule (docs/voice.md has the measurements behind it):

- The ticket number is read letter by letter, then digit by digit, never as a quantity:
  A107 is "A 幺零七", not "A 一百零七". espeak-ng reads Arabic "107" as 一百零七, so the digits
  are written as hanzi digits before it sees them.
- The digit 1 is 幺 (yāo), as Chinese is read wherever a digit string must survive a loudspeaker
  (telephone, room and bus numbers): yī and qī are both first-tone "-i" syllables and A017 and
  A077 would sound alike across a noisy hall. `one="一"` switches back to yī.
- Letters of a prefix are separated by spaces: glued together ("AB") espeak-ng's Mandarin voice
  hands them to its English rules, or reads them as a pinyin syllable ("AN" becomes ān).
- The window number is a quantity, read as a cardinal in hanzi: 5号 五号, 12号 十二号 (not 一二),
  10 十, 20 二十, 32 三十二, 101 一百零一.
- In English, the letters stay glued to the first digit and the other digits stand alone
  ("A1 0 7"): espeak-ng's English voice then says "A one zero seven"; "A 1 0 7" would say the
  article "a", and "A107" would say "one hundred and seven". The window is a plain cardinal.

The templates are the hall's (`Voice.template`, `Voice.template_en`); each gets `number`,
`number_en` and `window`, the names `server.hallconfig` lets an administrator use.
"""

from __future__ import annotations

import re

from server.core.hall import Voice

_DIGITS = "零一二三四五六七八九"
_NUMBER = re.compile(r"([A-Za-z]*)([0-9]+)")
# espeak-ng and a listener both lose track past 万, and no hall has that many windows.
_MAX_CARDINAL = 99_999_999


def announcement_text(number: str, window_number: int, voice: Voice, *, one: str = "幺") -> str:
    """The Chinese call, e.g. 请A幺零七号到十二号窗口办理 for A107 at window 12."""
    return voice.template.format_map(_fields(number, window_number, one, cardinal(window_number)))


def announcement_text_en(number: str, window_number: int, voice: Voice) -> str:
    """The English call, e.g. "Number A1 0 7, please go to window 12." for A107 at window 12."""
    return voice.template_en.format_map(_fields(number, window_number, "一", str(window_number)))


def spoken_number(number: str, *, one: str = "幺") -> str:
    """A ticket number as digits to read one by one: A107 -> "A幺零七", AB012 -> "A B零幺二"."""
    letters, digits = _split(number)
    table = _DIGITS.replace("一", one)
    return " ".join(letters) + "".join(table[int(d)] for d in digits)


def spoken_number_en(number: str) -> str:
    """A ticket number for espeak-ng's English voice: A107 -> "A1 0 7", AB012 -> "AB0 1 2"."""
    letters, digits = _split(number)
    return letters + " ".join(digits)


def cardinal(n: int) -> str:
    """A cardinal number in hanzi as it is said: 12 -> 十二, 101 -> 一百零一, 10010 -> 一万零一十."""
    if not 0 <= n <= _MAX_CARDINAL:
        raise ValueError(f"{n} is outside 0..{_MAX_CARDINAL}")
    if n == 0:
        return _DIGITS[0]
    high, low = divmod(n, 10_000)
    text = ""
    if high:
        text = _below_10k(high) + "万"
        if 0 < low < 1000:
            text += _DIGITS[0]
    if low:
        text += _below_10k(low)
    # 10-19 and 100000-199999 drop the leading 一 (十二, 十万), as everyone says them.
    return text[1:] if text.startswith("一十") else text


def _below_10k(n: int) -> str:
    out: list[str] = []
    gap = False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // unit % 10
        if digit == 0:
            gap = bool(out)
            continue
        if gap:
            out.append(_DIGITS[0])
            gap = False
        out.append(_DIGITS[digit] + name)
    return "".join(out)


def _fields(number: str, window_number: int, one: str, window: str) -> dict[str, str]:
    if window_number <= 0:
        raise ValueError(f"window number {window_number} must be positive")
    return {
        "number": spoken_number(number, one=one),
        "number_en": spoken_number_en(number),
        "window": window,
    }


def _split(number: str) -> tuple[str, str]:
    match = _NUMBER.fullmatch(number.strip())
    if match is None:
        raise ValueError(f'"{number}" is not a ticket number (letters, then digits, e.g. A007)')
    return match.group(1).upper(), match.group(2)
