"""The hall file's [items.guide] (article 7's ten fields): the new keys, their defaults, sample
forms that must exist beside the hall file, and a clear message for a key spelled wrong."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from server.hallconfig import HallConfigError, load_hall, loads_hall
from tests.unit.test_hallconfig import BASE, refused, write

SB_GUIDE = '''legal_basis = "《中华人民共和国社会保险法》"
conditions = "已参保。"
fee = "不收费"
time_limit_days = 0
contact = "12345"
process = "受理 → 制卡"
'''
SB_MATERIAL = '''code = "ID_CARD"
name = "居民身份证"
copies = "原件"
'''


def with_guide(guide: str = SB_GUIDE, material: str = SB_MATERIAL) -> str:
    assert BASE.count(SB_GUIDE) == 1 and BASE.count(SB_MATERIAL) >= 1
    return BASE.replace(SB_GUIDE, guide, 1).replace(SB_MATERIAL, material, 1)


def test_every_article_7_field_is_read():
    text = with_guide(
        SB_GUIDE.replace('fee = "不收费"', 'fee_standard = "工本费每张20元"\nfee_basis = "省物价局核定的标准"')
        + 'accepting_unit = "测试市社会保险事业管理中心"\ncommon_mistakes = "照片不合格。"\n'
        'keywords = ["社保卡", "办卡"]\nrevised_on = 2026-10-15\nrevision_note = "补充收费依据"\n',
        SB_MATERIAL + 'mistakes = "身份证过期"\n',
    )
    item = loads_hall(text).item("SB-01")
    g = item.guide
    assert (g.fee, g.fee_basis) == ("工本费每张20元", "省物价局核定的标准")
    assert g.accepting_unit == "测试市社会保险事业管理中心"
    assert g.keywords == ("社保卡", "办卡") and g.revised_on == date(2026, 10, 15) and g.revision_note == "补充收费依据"
    assert g.revision == 0 and g.materials[0].mistakes == "身份证过期"


def test_the_accepting_unit_defaults_to_the_department():
    hall = loads_hall(BASE)
    item = hall.item("SB-01")
    assert item.guide.accepting_unit == ""
    assert item.accepting_unit_of(hall) == hall.department("SB").name


def test_an_unknown_guide_key_is_named_with_its_item(tmp_path: Path):
    message = refused(tmp_path, with_guide(SB_GUIDE + 'fee_basic = "x"\n'))
    assert "SB-01" in message and "fee_basic" in message


def test_fee_and_fee_standard_together_are_refused(tmp_path: Path):
    message = refused(tmp_path, with_guide(SB_GUIDE + 'fee_standard = "不收费"\n'))
    assert "fee_standard" in message and "SB-01" in message


def test_a_sample_form_must_be_a_file_beside_the_hall_file(tmp_path: Path):
    text = with_guide(material=SB_MATERIAL + 'sample = "sb-form.pdf"\n')
    message = refused(tmp_path, text)
    assert "sample" in message and str(tmp_path / "forms" / "sb-form.pdf") in message
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "sb-form.pdf").write_bytes(b"%PDF-1.4\n")
    assert load_hall(write(tmp_path, text)).item("SB-01").guide.materials[0].sample == "sb-form.pdf"


@pytest.mark.parametrize("name", ["../hall.toml", "form.exe", "子目录/form.pdf", ".hidden.pdf"])
def test_a_sample_form_name_is_a_plain_file_name(name: str):
    with pytest.raises(HallConfigError, match="not a sample file name"):
        loads_hall(with_guide(material=SB_MATERIAL + f'sample = "{name}"\n'))
