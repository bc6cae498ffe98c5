"""A department's paper keys in the hall file (server/hallconfig/departments.py): the document
number's prefix, the seal, and the review body and court of its refusals and denials."""

from __future__ import annotations

from pathlib import Path

from server.core.documents import appeal_for, doc_prefix, seal_name
from server.core.hall import Appeal
from server.hallconfig import DEFAULT_CONFIG, load_hall
from tests.unit.test_hallconfig import BASE, loads_hall, refused

SB = '''[[departments]]
code = "SB"
name = "社保局"
name_en = "Social Insurance Bureau"
'''


def with_sb(extra: str) -> str:
    assert SB in BASE
    return BASE.replace(SB, SB + extra)


def test_the_demo_names_prefixes_seals_and_the_tax_bureaus_own_review_body():
    hall = load_hall(DEFAULT_CONFIG)
    scjg, swj = hall.department("SCJG"), hall.department("SWJ")
    assert doc_prefix(scjg, "SCJG") == "市监" and seal_name(scjg, "SCJG") == "某市市场监督管理局行政审批专用章"
    assert appeal_for(scjg, hall.appeal) == hall.appeal  # none of its own: the hall's [appeal]
    review = appeal_for(swj, hall.appeal)
    assert review.review_body == "国家税务总局某省税务局" and review.court == hall.appeal.court


def test_the_keys_load_and_default_from_the_code_and_name():
    hall = loads_hall(with_sb('doc_prefix = "人社"\nseal = "某市社保局业务专用章"\nreview_body = "某市人民政府"\n'
                              'court = "某市中级人民法院"\ncourt_en = "the Intermediate Court"\n'))
    sb, ga = hall.department("SB"), hall.department("GA")
    assert (sb.doc_prefix, sb.seal, sb.review_body, sb.court, sb.court_en) == (
        "人社", "某市社保局业务专用章", "某市人民政府", "某市中级人民法院", "the Intermediate Court")
    assert doc_prefix(ga, "GA") == "GA" and seal_name(ga, "GA") == "公安局行政审批专用章"
    assert appeal_for(ga, Appeal("省政府", "", "省法院", "")) == Appeal("省政府", "", "省法院", "")


def test_a_misspelt_key_is_named_with_its_department(tmp_path: Path):
    message = refused(tmp_path, with_sb('doc_prefx = "人社"\n'))
    assert 'departments.SB: unknown key "doc_prefx" (did you mean "doc_prefix"?)' in message


def test_a_prefix_with_brackets_or_a_seal_that_is_no_seal_is_refused(tmp_path: Path):
    assert "doc_prefix" in refused(tmp_path, with_sb('doc_prefix = "人社〔"\n'))
    assert "should name the seal itself" in refused(tmp_path, with_sb('seal = "某市社保局"\n'))
    assert "court_en is given without court" in refused(tmp_path, with_sb('court_en = "the Court"\n'))


def test_a_hall_code_and_department_code_too_long_for_a_case_number_are_refused(tmp_path: Path):
    """HALL-DEPT-YEAR-SEQUENCE must fit the case number's 40 characters (issue 16)."""
    long_hall = BASE.replace('code = "t"\n', f'code = "{"h" * 16}"\n', 1)
    assert loads_hall(long_hall).code == "h" * 16  # 16 + SB: fits
    message = refused(tmp_path, long_hall.replace('code = "SB"', f'code = "{"S" * 12}"'))
    assert f"departments.{'S' * 12}: with the hall's code" in message and "longer than 40" in message
