"""An item's `[items.guide]` (办事指南, article 7), also the shape an admin's edit is checked against.

    [items.guide]
    legal_basis = "《中华人民共和国公司法》…"          # 办理依据
    conditions = "…"                                  # 受理条件
    accepting_unit = "某市市场监督管理局"             # 受理单位; default: the department's name
    process = "网上申报 → 窗口受理 → 审核 → 发证"      # 基本流程
    fee_standard = "不收费"                           # 收费标准 (the older key `fee` means the same)
    fee_basis = "《…》第十条"                         # 收费依据
    time_limit_days = 1                               # 办理时限, working days
    contact = "窗口电话 …；12345"                     # 咨询方式
    common_mistakes = "…"                             # 常见错误示例 of the whole application
    keywords = ["公司注册", "开公司"]                  # more words the public search finds it by
    revised_on = 2026-11-20                           # 修订日期
    revision_note = "…"                               # what that revision changed

    [[items.guide.materials]]                         # 申请材料
    code = "APP_FORM"
    name = "公司登记（备案）申请书"
    sample = "scjg-company-application.pdf"           # 示范文本: a file in forms/ beside the hall file
    mistakes = "未勾选登记类型；未签字"               # 常见错误 of this material

A sample's file must exist when the hall file is read from disk (`load_hall`): a guide that
offers a download the server cannot give would fail a citizen at home.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator, model_validator

from server.core import hall as core

from .fields import Code, Day, Model, OptionalText, Text, not_empty

SAMPLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.(pdf|docx|png|jpg)")
# The validation context's key naming the folder samples are looked for in (absent: not checked).
FORMS_DIR = "forms_dir"


class MaterialIn(Model):
    code: Code
    name: Text
    name_en: OptionalText = ""
    copies: OptionalText = ""
    note: OptionalText = ""
    sample: OptionalText = ""
    mistakes: OptionalText = ""

    @field_validator("sample")
    @classmethod
    def _sample(cls, value: str, info: ValidationInfo) -> str:
        if not value:
            return value
        if not SAMPLE_NAME.fullmatch(value):
            raise ValueError(f'"{value}" is not a sample file name: letters, digits, ".", "-", "_", '
                             "ending .pdf, .docx, .png or .jpg (the file lives in forms/ beside the hall file)")
        folder = (info.context or {}).get(FORMS_DIR)
        if folder is not None and not (Path(folder) / value).is_file():
            raise ValueError(f"no file {Path(folder) / value} (put the sample form there)")
        return value

    def to_core(self) -> core.Material:
        return core.Material(self.code, self.name, self.name_en, self.copies, self.note, self.sample, self.mistakes)


class GuideIn(Model):
    """Article 7: every item's guide lists these."""

    legal_basis: Text
    conditions: Text
    materials: Annotated[
        list[MaterialIn],
        not_empty("lists no material; the window checks every case against this list (article 14)"),
    ]
    fee_standard: OptionalText = ""
    fee: OptionalText = ""  # the older name of fee_standard
    fee_basis: OptionalText = ""
    time_limit_days: int = Field(ge=0, le=365)
    contact: Text
    process: OptionalText = ""
    common_mistakes: OptionalText = ""
    accepting_unit: OptionalText = ""
    keywords: Annotated[list[Text], Field(max_length=20)] = []
    revised_on: Day | None = None
    revision_note: OptionalText = ""

    @model_validator(mode="after")
    def _checks(self) -> GuideIn:
        seen: set[str] = set()
        for m in self.materials:
            if m.code in seen:
                raise ValueError(f'material code "{m.code}" is listed twice')
            seen.add(m.code)
        if self.fee and self.fee_standard:
            raise ValueError("give fee_standard only (fee is its older name)")
        if not (self.fee or self.fee_standard):
            raise ValueError('fee_standard is missing: the fee charged, or "不收费"')
        return self

    def to_core(self, *, revision: int = 0, revised_on: date | None = None, note: str | None = None) -> core.Guide:
        return core.Guide(
            legal_basis=self.legal_basis,
            conditions=self.conditions,
            materials=tuple(m.to_core() for m in self.materials),
            fee=self.fee_standard or self.fee,
            time_limit_days=self.time_limit_days,
            contact=self.contact,
            process=self.process,
            common_mistakes=self.common_mistakes,
            accepting_unit=self.accepting_unit,
            fee_basis=self.fee_basis,
            revised_on=revised_on or self.revised_on,
            revision_note=self.revision_note if note is None else note,
            revision=revision,
            keywords=tuple(self.keywords),
        )
