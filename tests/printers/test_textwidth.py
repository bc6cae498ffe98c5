import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from printers.textwidth import char_width, clean, columns_for, text_width, wrap

HANZI = "请留意叫号过号需重新取号政务服务中心人力资源社会保障局"
PUNCT = "，。、：；！？（）《》“”…—·"
text_strategy = st.text(
    alphabet=st.sampled_from(list("abc xyz ABC 0123 -/:.,") + list(HANZI) + list(PUNCT) + ["\n", "Ａ", "é"]),
    max_size=200,
)


def test_a_hanzi_and_full_width_punctuation_take_two_columns_ascii_one():
    assert [char_width(c) for c in "A汉，：（Ａ"] == [1, 2, 2, 2, 2, 2]
    assert text_width("A007号") == 6


def test_paper_widths_give_font_a_columns():
    assert columns_for(58) == 32
    assert columns_for(80) == 48


def test_every_multibyte_character_counts_double_because_chinese_mode_prints_it_so():
    assert unicodedata.east_asian_width("·") == "A"
    assert char_width("·") == 2


@given(text_strategy, st.integers(min_value=2, max_value=48))
def test_wrapped_lines_never_exceed_the_columns(text, columns):
    assert all(text_width(line) <= columns for line in wrap(text, columns))


@given(text_strategy, st.integers(min_value=2, max_value=48))
def test_wrapping_loses_no_character_but_break_spaces(text, columns):
    def squeeze(s: str) -> str:
        return "".join(s.split())

    assert squeeze("".join(wrap(text, columns))) == squeeze(clean(text))


def test_english_breaks_between_words():
    assert wrap("Please listen for your number.", 16) == ["Please listen", "for your number."]


def test_a_line_does_not_start_with_a_chinese_comma():
    lines = wrap("请留意叫号，过号需重新取号。", 10)
    assert all(not line.startswith(("，", "。")) for line in lines)
    assert "".join(lines) == "请留意叫号，过号需重新取号。"


def test_control_characters_never_reach_the_printer():
    assert clean("张\x1b@三\x00\u200b") == "张@三"
    assert wrap("a\tb", 10) == ["a b"]


def test_newlines_start_new_lines():
    assert wrap("一\n\n二", 32) == ["一", "", "二"]
