"""The window's written documents as layouts (issue 14): every kind fits 58 and 80 mm paper and
says what the law asks of it; the PNG preview is drawn from the same blocks."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from printers import preview
from printers.document import Align
from printers.escpos_render import render
from printers.legal_docs import BODIES, document, rights_text
from server.core.documents import KINDS
from server.core.hall import PrinterProfile
from tests.support.escpos_decode import decode

COMMON = dict(
    hall_name="某市政务服务中心", title="标题", title_en="Title", number="CITY-市监受字〔2026〕18号",
    department="市场监督管理局", applicant_name="欧阳娜娜", case_number="CITY-SCJG-2026-000042",
    item="有限责任公司设立登记", issued_on="2026-11-25", seal="某市市场监督管理局行政审批专用章",
    verify_code="7N3R-33NV-QN0X-E4MG", verify_url="https://hall.example.cn/verify/7N3R-33NV-QN0X-E4MG",
    review_body="某市人民政府", court="某市某区人民法院", window="1号窗口",
)
OWN = {
    "acceptance": dict(materials=["身份证原件"], accepted_on="2026-11-25", promised_on="2026-12-02",
                       progress_url="https://hall.example.cn/case/abc"),
    "notice": dict(missing=["公司章程"], note="须全体股东签字", contact="0000-12345678"),
    "refusal": dict(applied_on="2026-11-25", reason="不属于本机关职权范围"),
    "approval": dict(accepted_on="2026-11-20", legal_basis="《中华人民共和国公司法》"),
    "denial": dict(accepted_on="2026-11-20", reason="经营范围涉及前置审批", legal_basis="《行政许可法》第三十八条"),
    "received": dict(materials=["申请书"], received_on="2026-11-25", due_on=date(2026, 12, 2)),
    "extension": dict(previous_promised="2026-11-26", promised="2026-12-10", reason="需现场核查",
                      legal_basis="《行政许可法》第四十二条", approved_by="李首席"),
    "suspension": dict(procedure="专家评审", reason="涉及技术标准", started_on="2026-11-25"),
}
OWN["concluded"] = OWN["acceptance"]


def test_every_kind_has_a_layout_and_a_number_word():
    assert set(BODIES) == set(KINDS) == set(OWN)


@pytest.mark.parametrize("paper_mm", [58, 80])
@pytest.mark.parametrize("kind", sorted(OWN))
def test_every_kind_fits_its_paper_and_carries_name_number_seal_and_code(kind, paper_mm):
    doc = document(kind, paper_mm=paper_mm, **COMMON, **OWN[kind])
    assert doc.columns == (32 if paper_mm == 58 else 48)  # Document refuses a line wider than that
    flat = doc.text().replace("\n", "")
    assert "欧阳娜娜" in flat and "欧**娜" not in flat
    for words in ("CITY-市监受字〔2026〕18号", "市场监督管理局", "（某市市场监督管理局行政审批专用章）",
                  "2026年11月25日", "7N3R-33NV-QN0X-E4MG"):
        assert words in flat, words
    assert doc.qr_payloads[-1] == COMMON["verify_url"]
    # And the printer gets it whole: read back from the ESC/POS bytes.
    printed = "".join(decode(render(doc, PrinterProfile("p", paper_mm, native_qr=True))).texts)
    assert printed == flat


@pytest.mark.parametrize("kind", ["refusal", "denial"])
def test_decisions_against_the_applicant_state_the_remedies_with_the_bodies(kind):
    flat = document(kind, **COMMON, **OWN[kind]).text().replace("\n", "")
    assert "欧阳娜娜：" in flat
    assert "六十日内向某市人民政府申请行政复议" in flat and "六个月内向某市某区人民法院提起行政诉讼" in flat
    assert "理由：" in flat and "依据：" in flat


def test_the_remedies_hold_without_named_bodies():
    zh, en = rights_text("", "")
    assert "六十日内依法申请行政复议" in zh and "有管辖权的人民法院" in zh
    assert "within 60 days" in en and "within 6 months" in en


def test_a_long_seal_on_narrow_paper_is_split_in_halves_not_orphaned():
    doc = document("approval", paper_mm=58, **COMMON, **OWN["approval"])
    lines = [line for line in doc.lines if "（某市" in line.text or "章）" in line.text]
    assert [line.text for line in lines] == ["（某市市场监督管理", "局行政审批专用章）"]
    assert all(line.align is Align.RIGHT for line in lines)


@pytest.mark.parametrize(("kind", "drop"), [("denial", "legal_basis"), ("extension", "approved_by"),
                                            ("received", "due_on"), ("acceptance", "verify_code")])
def test_a_document_missing_a_field_says_which(kind, drop):
    values = {**COMMON, **OWN[kind]}
    del values[drop]
    with pytest.raises(ValueError, match=drop):
        document(kind, **values)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown document kind 'receipt'"):
        document("receipt", **COMMON)


def test_the_preview_is_the_paper_dot_for_dot():
    doc = document("denial", paper_mm=58, **COMMON, **OWN["denial"])
    image = Image.open(io.BytesIO(preview.to_png(doc)))
    assert image.width == 384 + 2 * preview.MARGIN
    lines = len(doc.lines)
    assert image.height > lines * preview.LINE_DOTS


def test_without_a_cjk_font_the_preview_says_what_to_install(monkeypatch, tmp_path):
    preview.find_font.cache_clear()
    monkeypatch.setenv("HALLQ_CJK_FONT", str(tmp_path / "none.ttc"))
    try:
        with pytest.raises(preview.FontMissing, match="HALLQ_CJK_FONT"):
            preview.find_font()
        monkeypatch.delenv("HALLQ_CJK_FONT")
        monkeypatch.setattr(preview, "FONT_PATTERNS", (str(tmp_path / "*.ttc"),))
        preview.find_font.cache_clear()
        with pytest.raises(preview.FontMissing, match="fonts-noto-cjk"):
            preview.find_font()
    finally:
        preview.find_font.cache_clear()
        preview._font.cache_clear()
