"""The written documents a case produces (issue 14, articles 14, 16, 22): their kinds, their
numbers (文号), their verification codes, and which department names go on them. Pure.

A document number is `{HALL}-{prefix}{word}字〔{year}〕{n}号`, e.g. CITY-市监受字〔2026〕18号: `HALL`
is the hall's code in upper case (issue 16: halls sharing an approval platform never write the same
number), `prefix` the department's `doc_prefix` (its code when the hall config gives none), `word`
the kind's family (受 for acceptances and on-the-spot conclusions, 告 for notices, ...), `n`
counted per hall, department, family and year from 1.

A verification code is 80 random bits written as 16 Crockford base32 symbols, printed in groups
of four (ABCD-EFGH-JKMN-PQRS). Crockford's alphabet has no I, L, O or U; read back, case, dashes
and spaces do not matter, and I/L read as 1, O as 0, as its decoding rules say.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass

from .hall import Appeal, Department

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_BITS = 80
CODE_LENGTH = CODE_BITS // 5  # 16 symbols
GROUP = 4


@dataclass(frozen=True)
class Kind:
    code: str
    word: str  # the family word in the number: 受 → 市监受字
    label: str
    label_en: str


KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind("acceptance", "受", "受理单", "Acceptance slip"),
    Kind("concluded", "受", "当场办结单", "On-the-spot conclusion"),  # a noun: "The on-the-spot conclusion was sent…"
    Kind("notice", "告", "一次性告知书", "Notice of missing materials"),
    Kind("refusal", "不受", "不予受理决定书", "Decision of non-acceptance"),
    Kind("approval", "许", "准予行政许可决定书", "Decision of approval"),
    Kind("denial", "不许", "不予行政许可决定书", "Decision of denial"),
    Kind("received", "收", "收件凭证", "Receipt of materials"),
    Kind("extension", "延", "延长审批期限告知书", "Notice of extended time limit"),
    Kind("suspension", "中", "特别程序告知书", "Notice of special procedure"),
)}


def kind_of(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise ValueError(f"unknown document kind {code!r} (known: {', '.join(KINDS)})") from None


def doc_prefix(department: Department | None, code: str) -> str:
    """The department's `doc_prefix`, else its code (SCJG受字〔2026〕1号)."""
    return (department.doc_prefix if department else "") or code


def seal_name(department: Department | None, code: str) -> str:
    """The approval seal the document names (article 22): the config's, else 「{name}行政审批专用章」."""
    if department and department.seal:
        return department.seal
    return f"{department.name if department else code}行政审批专用章"


def appeal_for(department: Department | None, hall_appeal: Appeal) -> Appeal:
    """The review body and court a refusal or denial names: the department's, else the hall's [appeal]."""
    if department is None:
        return hall_appeal
    review = (department.review_body, department.review_body_en) if department.review_body else (
        hall_appeal.review_body, hall_appeal.review_body_en)
    court = (department.court, department.court_en) if department.court else (hall_appeal.court, hall_appeal.court_en)
    return Appeal(review[0], review[1], court[0], court[1])


def counter_name(department: str, kind: Kind, year: int) -> str:
    """The counter the numbers of a department, family and year are taken from."""
    return f"doc:{department}:{kind.word}:{year}"


def format_number(hall: str, prefix: str, kind: Kind, year: int, n: int) -> str:
    """CITY-市监受字〔2026〕18号: the hall's code, upper case, leads as in its case numbers."""
    return f"{hall.upper()}-{prefix}{kind.word}字〔{year}〕{n}号"


def new_code() -> str:
    """A fresh verification code, canonical (16 symbols, no dashes)."""
    value = secrets.randbits(CODE_BITS)
    return "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(CODE_LENGTH)))


_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})
_CANONICAL = re.compile(f"[{CROCKFORD}]{{{CODE_LENGTH}}}")


def canonical_code(text: str) -> str | None:
    """A code as typed or scanned, canonical; None when it cannot be one (the caller says "no such
    document" either way, so a malformed code tells nothing more than a wrong one)."""
    if len(text) > 64:
        return None
    code = re.sub(r"[\s\-]", "", text).upper().translate(_READ_AS)
    return code if _CANONICAL.fullmatch(code) else None


def grouped(code: str) -> str:
    """ABCDEFGHJKMNPQRS → ABCD-EFGH-JKMN-PQRS."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


# A document number as scanned or pasted: the year's brackets may come as 〔〕, [], 【】 or ().
_DOC_NUMBER = re.compile(r"(\S{1,60}字)〔([0-9]{4})〕0*([1-9][0-9]{0,8})号")
_BRACKETS = str.maketrans({"[": "〔", "【": "〔", "(": "〔", "［": "〔", "]": "〕", "】": "〕", ")": "〕", "］": "〕"})


def canonical_doc_number(text: str) -> str | None:
    """A printed document number (文号, e.g. CITY-市监告字〔2026〕3号) as the registry writes it, however
    it was scanned or pasted (full-width digits, spaces, other brackets, leading zeros, the hall's
    code in lower case); None when the text is not one."""
    flat = "".join(unicodedata.normalize("NFKC", text or "").split()).translate(_BRACKETS)
    m = _DOC_NUMBER.fullmatch(flat)
    if not m:
        return None
    hall, dash, rest = m.group(1).rpartition("-")
    return f"{hall.upper()}{dash}{rest}〔{m.group(2)}〕{int(m.group(3))}号"
