"""The words of a call, as a Chinese hall says them (reading rule in server.speech.text)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.core.hall import Voice
from server.speech.text import (
    announcement_text,
    announcement_text_en,
    cardinal,
    spoken_number,
    spoken_number_en,
)

VOICE = Voice()


@pytest.mark.parametrize(
    ("number", "window", "expected"),
    [
        ("A007", 5, "请A零零七号到五号窗口办理"),
        ("B120", 12, "请B幺二零号到十二号窗口办理"),
        ("A107", 10, "请A幺零七号到十号窗口办理"),
        ("AB012", 20, "请A B零幺二号到二十号窗口办理"),
        ("ZW999", 32, "请Z W九九九号到三十二号窗口办理"),
        ("c001", 1, "请C零零幺号到一号窗口办理"),
    ],
)
def test_chinese_call(number: str, window: int, expected: str) -> None:
    assert announcement_text(number, window, VOICE) == expected


@pytest.mark.parametrize(
    ("number", "window", "expected"),
    [
        ("A007", 5, "Number A0 0 7, please go to window 5."),
        ("B120", 12, "Number B1 2 0, please go to window 12."),
        ("AB012", 32, "Number AB0 1 2, please go to window 32."),
    ],
)
def test_english_call(number: str, window: int, expected: str) -> None:
    assert announcement_text_en(number, window, VOICE) == expected


def test_yi_instead_of_yao_on_request() -> None:
    assert announcement_text("A117", 11, VOICE, one="一") == "请A一一七号到十一号窗口办理"


def test_hall_template_gets_every_documented_field() -> None:
    voice = Voice(template="{number}号请到{window}号窗口（{number_en}）", template_en="{number_en} to {window}")
    assert announcement_text("A12", 3, voice) == "A幺二号请到三号窗口（A1 2）"
    assert announcement_text_en("A12", 3, voice) == "A1 2 to 3"


@pytest.mark.parametrize(
    ("n", "spoken"),
    [
        (1, "一"),
        (2, "二"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (32, "三十二"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
        (10000, "一万"),
        (10010, "一万零一十"),
        (100000, "十万"),
        (120305, "十二万零三百零五"),
    ],
)
def test_window_numbers_are_cardinals(n: int, spoken: str) -> None:
    assert cardinal(n) == spoken


@pytest.mark.parametrize("bad", ["", "A", "A-007", "007A", "甲007", "A 007 B"])
def test_not_a_ticket_number(bad: str) -> None:
    with pytest.raises(ValueError, match="not a ticket number"):
        announcement_text(bad, 5, VOICE)


@pytest.mark.parametrize("window", [0, -3])
def test_window_must_be_positive(window: int) -> None:
    with pytest.raises(ValueError):
        announcement_text("A001", window, VOICE)


def _parse_cardinal(text: str) -> int:
    """Inverse of `cardinal`, written independently to check it."""
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")}
    units = {"十": 10, "百": 100, "千": 1000}
    total = section = pending = 0
    for ch in text:
        if ch in digits:
            pending = digits[ch]
        elif ch in units:
            section += (pending or 1) * units[ch]
            pending = 0
        elif ch == "万":
            total += (section + pending) * 10_000
            section = pending = 0
    return total + section + pending


# No deadline: a loaded CI machine is slow, not wrong.
@settings(deadline=None)
@given(st.integers(min_value=0, max_value=99_999_999))
def test_cardinal_round_trips(n: int) -> None:
    spoken = cardinal(n)
    assert _parse_cardinal(spoken) == n
    assert "零零" not in spoken and not spoken.endswith("零") or n == 0


@settings(deadline=None)
@given(st.from_regex(r"[A-Z]{0,2}[0-9]{1,6}", fullmatch=True))
def test_every_digit_is_read_alone(number: str) -> None:
    letters = "".join(c for c in number if c.isalpha())
    digits = number[len(letters) :]
    spoken = spoken_number(number)
    assert spoken.endswith("".join("零幺二三四五六七八九"[int(d)] for d in digits))
    assert spoken.startswith(" ".join(letters))
    assert not any(c.isdigit() and c.isascii() for c in spoken)
    assert spoken_number_en(number) == letters + " ".join(digits)
