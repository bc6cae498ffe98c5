"""Masking personal data (article 20): one rule per datum, the same on every screen and slip."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printers import legal_docs
from server.core.masking import mask_id_number, mask_name, mask_phone
from tests.core.test_idnumber import id_numbers


def test_mask_id_number_keeps_region_and_last_four():
    assert mask_id_number("110105194912311234") == "110105********1234"


@given(id_numbers())
def test_masked_id_number_hides_the_birth_date_and_sequence(number):
    masked = mask_id_number(number)
    assert len(masked) == 18
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:]
    assert masked[6:14] == "*" * 8


def test_mask_short_garbage_hides_everything():
    assert mask_id_number("12345") == "*****"


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("张小三", "张*三"), ("欧阳娜娜", "欧**娜"), ("张", "*"), ("", ""), (" 李四 ", "李*")],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13812345678", "138****5678"), ("010-65123456", "010*****3456"), ("6512345", "*****45")],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [("王小明", "王*明"), ("John Smith", "J*** S****"), ("J", "*")],
)
def test_mask_name_of_the_screens_and_of_the_progress_page_is_one_rule(name, masked):
    assert mask_name(name) == masked


def test_papers_handed_to_the_applicant_are_not_masked():
    """Issue 14: a slip, notice or decision names its applicant in full; only screens mask."""
    paper = legal_docs.document(
        "notice", hall_name="h", title="一次性告知书", title_en="Notice", number="CITY-市监告字〔2026〕1号",
        department="市场监督管理局", applicant_name="王小明", case_number="CITY-SCJG-2026-000001", item="设立登记",
        issued_on="2026-11-25", seal="某市市场监督管理局行政审批专用章", verify_code="7N3R-33NV-QN0X-E4MG",
        verify_url="https://hall.example.cn/verify/7N3R-33NV-QN0X-E4MG", missing=["公司章程"])
    assert "王小明：" in paper.text() and "王*明" not in paper.text()


HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)


@given(st.text(HAN, min_size=1, max_size=8))
def test_a_chinese_name_keeps_only_its_first_and_from_three_on_its_last_character(name):
    masked = mask_name(name)
    assert len(masked) == len(name)
    hidden = masked[1:-1] if len(name) >= 3 else masked[1:] if len(name) == 2 else masked
    assert set(hidden) == {"*"}
    if len(name) >= 2:
        assert masked[0] == name[0]
    if len(name) >= 3:
        assert masked[-1] == name[-1]


@given(st.lists(st.text(st.characters(min_codepoint=ord("a"), max_codepoint=ord("z")), min_size=1, max_size=8),
                min_size=2, max_size=4))
def test_a_latin_name_keeps_each_words_initial(words):
    masked = mask_name(" ".join(words))
    assert masked.split() == [w[0] + "*" * (len(w) - 1) for w in words]
