"""What the case rules refuse, each error with the code and the Chinese words a client sees.

Every class is a `DomainError`: the transport answers it by its `kind` and `code` and nothing
translates it on the way. Those about one input name it (`where`): "applicant.phone: ...",
"note: ...". The English is each class's docstring, filled with the details it is raised with.
"""

from __future__ import annotations

from server.core.errors import DomainError, NotFound
from server.core.labels import CASE_STATUS, words


class CaseError(DomainError):
    """The case rules forbid this."""

    kind = "invalid"
    code = "invalid_case"
    zh = "不符合办件规则"


class IllegalCaseTransition(CaseError):
    """A case cannot go from {from_status} to {to_status} (from {from_status}: {allowed})."""

    kind = "conflict"
    code = "illegal_transition"  # as a ticket's: the same family, told apart by the path asked

    def __init__(self, *, from_status: str, to_status: str, allowed: str) -> None:
        was, to = (words(CASE_STATUS, s)[0] for s in (from_status, to_status))
        super().__init__(zh=f"办件当前为“{was}”，不能改为“{to}”", from_status=from_status, to_status=to_status,
                         allowed=allowed)


class ConsultationOpensNoCase(CaseError):
    """A consultation opens no case: record it on the ticket."""


class ApplicantRequired(CaseError):
    """outcome {outcome} opens a case: give "applicant": {{"name", "id_number", "phone"}}"""

    code = "applicant_required"


class ItemRequired(CaseError):
    """ticket {number} was taken for queue {queue}, not an item: give "item" (one of {served})"""

    code = "item_required"


class EmptyNotice(CaseError):
    """A correction notice (一次性告知, article 14) lists every missing material at once; this lists none."""


class MissingOnlyInNotice(CaseError):
    """Only a correction notice lists missing materials, not an outcome `{outcome}`."""


class UnknownMaterial(CaseError):
    """Item {item} has no material {codes}."""

    code = "unknown_material"


class MaterialsOverlap(CaseError):
    """material {codes} cannot be both received and missing"""

    code = "invalid_materials"


class MissingReason(CaseError):
    """A {what} must state its reason (articles 14 and 16)."""

    code = "reason_required"
    zh = "须填写理由：不予受理、不予批准都要写明理由"


class MissingLegalBasis(CaseError):
    """A {what} must state its legal basis (article 16; the written decision cites it)."""

    code = "legal_basis_required"
    zh = "须填写法律依据：不予批准决定书要写明依据"


_APPLICANT_FIELD_ZH = {"name": "姓名", "phone": "联系电话", "id_number": "身份证号"}


class InvalidApplicant(CaseError):
    """The applicant's {field} is not valid: {why}."""

    code = "invalid_applicant"

    def __init__(self, *, field: str, why: str) -> None:
        super().__init__(where=f"applicant.{field}", zh=f"申请人{_APPLICANT_FIELD_ZH.get(field, '信息')}有误",
                         field=field, why=why)


class InvalidCaseNumber(CaseError):
    """A case number reads HALL-DEPT-YEAR-SEQUENCE, as CITY-SCJG-2026-000042: {why}."""


class UnreadableCaseNumber(InvalidCaseNumber):
    """no case {number!r}: A case number reads HALL-DEPT-YEAR-SEQUENCE, as CITY-SCJG-2026-000042: {why}."""

    # Asked for by a number that cannot be one: no such case, as for any number nobody holds.
    kind = "not_found"
    code = "not_found"
    zh = "办件编号格式不对，应如 CITY-SCJG-2026-000042"


class CaseNotFound(NotFound):
    """no case {number}"""

    def __init__(self, number: str) -> None:
        super().__init__(zh=f"没有编号为 {number} 的办件", number=number)


class UnknownCaseStatus(CaseError):
    """unknown case status {status!r}; use one of {known}"""

    code = "invalid"
    zh = "未知的办件状态"


class NaiveTime(CaseError):
    """A case time must be time-zone aware, as every time the hall records."""


class ReceiptNeedsAnswer(CaseError):
    """A received case (收件) is answered by accepting it or by a notice: POST .../answer, not a move to {status}."""

    kind = "conflict"
    code = "receipt_needs_answer"
    zh = "收件办件须作出受理或补正告知答复"


class ClockSuspended(CaseError):
    """Case {number} is suspended (中止计时): end the suspension first."""

    kind = "conflict"
    code = "clock_suspended"
    zh = "办件处于中止计时状态，请先结束中止"


class ClockNotRunning(CaseError):
    """The time limit of case {number} is not running (status {status}): {what} only while it runs."""

    kind = "conflict"
    code = "clock_not_running"
    zh = "办件时限未在计算中，不能延长或中止"


class ExtensionRefused(CaseError):
    """{why}"""

    code = "extension_refused"
    zh = "不符合延长时限的规定"


class NotSuspended(CaseError):
    """Case {number} is not suspended."""

    kind = "conflict"
    code = "not_suspended"
    zh = "办件未处于中止计时状态"


class ExtensionDecided(CaseError):
    """extension {extension} was already {state}"""

    kind = "conflict"
    code = "extension_decided"
    zh = "该延长申请已处理"


class ReceiptUnanswered(CaseError):
    """Case {number} awaits its completeness answer (收件): accept or notice it before {what}."""

    kind = "conflict"
    code = "receipt_unanswered"
    zh = "收件办件尚未作出受理或补正答复，不能延长或中止计时"


class DeemedAccepted(CaseError):
    """Past {due}, case {number} is deemed accepted from receipt (art. 32): accept it, no notice."""

    kind = "conflict"
    code = "deemed_accepted"
    zh = "已超过收件答复期限，依法自收到材料之日起即为受理，不能再作补正告知，只能受理"
