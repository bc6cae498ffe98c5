"""The hall file's `[[departments]]`: who a department is, and what its written decisions carry
(issue 14, articles 14, 16 and 22).

    [[departments]]
    code = "SCJG"
    name = "市场监督管理局"
    name_en = "Administration for Market Regulation"
    doc_prefix = "市监"                           # 市监受字〔2026〕18号; default: the code, SCJG受字〔2026〕18号
    seal = "某市市场监督管理局行政审批专用章"       # default: "{name}行政审批专用章"
    review_body = "某市人民政府"                   # 行政复议机关; default: [appeal] review_body
    review_body_en = "the Municipal People's Government"
    court = "某市某区人民法院"                     # default: [appeal] court
    court_en = "the District People's Court"

Every key after `name_en` is optional; a misspelt one is refused like any other unknown key.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, model_validator

from server.core import hall as core

from .fields import Model, OptionalText, Text, check_department_code

# Brackets and the number sign would make 市监〔受字〕 ambiguous to read back; whitespace is a slip.
_PREFIX_FORBIDDEN = set("〔〕[]()（）号 \t")
MAX_PREFIX = 8


def check_doc_prefix(value: str) -> str:
    value = value.strip()
    if not value or len(value) > MAX_PREFIX or _PREFIX_FORBIDDEN & set(value):
        raise ValueError(
            f'doc_prefix "{value}" should be 1-{MAX_PREFIX} characters without brackets or spaces, '
            'e.g. "市监" for 市监受字〔2026〕18号'
        )
    return value


def check_seal(value: str) -> str:
    value = value.strip()
    if value and not value.endswith("章"):
        raise ValueError(f'seal "{value}" should name the seal itself, e.g. "某市市场监督管理局行政审批专用章"')
    return value


class DepartmentIn(Model):
    code: Annotated[str, AfterValidator(check_department_code)]
    name: Text
    name_en: Text
    doc_prefix: Annotated[str, AfterValidator(check_doc_prefix)] | None = None
    seal: Annotated[str, AfterValidator(check_seal)] = ""
    review_body: OptionalText = ""
    review_body_en: OptionalText = ""
    court: OptionalText = ""
    court_en: OptionalText = ""

    @model_validator(mode="after")
    def _english_with_chinese(self) -> DepartmentIn:
        # An English name alone would print a Chinese decision naming no body at all.
        for key in ("review_body", "court"):
            if getattr(self, f"{key}_en") and not getattr(self, key):
                raise ValueError(f"{key}_en is given without {key}; the Chinese name comes first")
        return self

    def to_core(self) -> core.Department:
        return core.Department(
            self.code, self.name, self.name_en, doc_prefix=self.doc_prefix or "", seal=self.seal,
            review_body=self.review_body, review_body_en=self.review_body_en, court=self.court,
            court_en=self.court_en,
        )
