"""Cases: what a window service opens (articles 12-14), its promise and warnings (article 16),
joint items (article 17) and the public progress view (articles 20-21).

Which outcomes open a case: every one but `consulted`. A consultation carries no application, so
it stays on the ticket. The others each leave a written document (acceptance slip, correction
notice, refusal decision, on-the-spot result) that must be traceable by number, the refusal
especially since the applicant may take it to administrative review or court. `notice`,
`refused` and `concluded` cases are born in a terminal status; an accepted case moves on, and a
`received` one (收件, materials taken in for a completeness review) is answered within the
configured working days by an acceptance or a notice (`case_clock.answer_received`):

    received → accepted | noticed
    accepted → in_review → decided_approved | decided_denied → delivered

Article 16 binds the decision and its delivery: the clock runs from receipt to delivery
(`CLOCKED`), except while it is suspended (`case_clock`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType

from server.core.case_errors import (
    ClockSuspended,
    ConsultationOpensNoCase,
    EmptyNotice,
    IllegalCaseTransition,
    InvalidApplicant,
    InvalidCaseNumber,
    MissingLegalBasis,
    MissingOnlyInNotice,
    MissingReason,
    NaiveTime,
    ReceiptNeedsAnswer,
    UnknownCaseStatus,
    UnknownMaterial,
    UnreadableCaseNumber,
)
from server.core.hall import Item
from server.core.idnumber import InvalidIdNumber, validate_id_number
from server.core.masking import mask_name
from server.core.workdays import WorkCalendar


class Outcome(StrEnum):
    """How a window service ended."""

    ACCEPTED = "accepted"  # 受理, article 14: materials complete, an acceptance slip
    RECEIVED = "received"  # 收件, article 14: taken in, completeness answered within 5 working days
    NOTICE = "notice"  # 一次性告知, article 14: one notice listing every correction
    REFUSED = "refused"  # 不予受理, article 14: a written decision
    CONCLUDED = "concluded"  # 当场办结, article 13: decided at the window
    CONSULTED = "consulted"  # 咨询: no application


class Status(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    IN_REVIEW = "in_review"
    DECIDED_APPROVED = "decided_approved"
    DECIDED_DENIED = "decided_denied"
    DELIVERED = "delivered"
    NOTICED = "noticed"
    REFUSED = "refused"
    CONCLUDED = "concluded"


TRANSITIONS: Mapping[Status, frozenset[Status]] = MappingProxyType(
    {
        # Answered only through `case_clock.answer_received` (the promise starts over on acceptance).
        Status.RECEIVED: frozenset({Status.ACCEPTED, Status.NOTICED}),
        Status.ACCEPTED: frozenset({Status.IN_REVIEW}),
        Status.IN_REVIEW: frozenset({Status.DECIDED_APPROVED, Status.DECIDED_DENIED}),
        # Article 16: a denial is delivered in writing with its reasons, like an approval.
        Status.DECIDED_APPROVED: frozenset({Status.DELIVERED}),
        Status.DECIDED_DENIED: frozenset({Status.DELIVERED}),
        Status.DELIVERED: frozenset(),
        Status.NOTICED: frozenset(),
        Status.REFUSED: frozenset(),
        Status.CONCLUDED: frozenset(),
    }
)
# Article 16 binds the decision and its delivery: the clock runs until the case is delivered (and,
# for a receipt, until the completeness answer). Warnings follow it, except while suspended.
CLOCKED = frozenset({Status.RECEIVED, Status.ACCEPTED, Status.IN_REVIEW, Status.DECIDED_APPROVED,
                     Status.DECIDED_DENIED})


def status_named(name: str) -> Status:
    """The status a caller asks a case to move to, by its value."""
    try:
        return Status(name)
    except ValueError:
        raise UnknownCaseStatus(status=name, known=", ".join(s.value for s in Status)) from None

_FIRST_STATUS = {
    Outcome.RECEIVED: Status.RECEIVED,
    Outcome.ACCEPTED: Status.ACCEPTED,
    Outcome.NOTICE: Status.NOTICED,
    Outcome.REFUSED: Status.REFUSED,
    Outcome.CONCLUDED: Status.CONCLUDED,
}


# --- applicant ---------------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_MOBILE_WITH_COUNTRY = re.compile(r"(?:\+86|0086|86)-?(1[3-9][0-9]{9})")
# Area code 0xx or 0xxx, local number 7-8 digits never starting with 0 or 1; or a local number alone.
_LANDLINE = re.compile(r"(?:0[0-9]{2,3}-?)?[2-9][0-9]{6,7}")
_MAX_NAME = 64


def validate_name(name: str) -> str:
    name = unicodedata.normalize("NFKC", name).strip()
    if not name:
        raise InvalidApplicant(field="name", why="empty")
    if len(name) > _MAX_NAME:
        raise InvalidApplicant(field="name", why=f"longer than {_MAX_NAME} characters")
    # Control characters would corrupt the printed slip.
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise InvalidApplicant(field="name", why="it contains control characters")
    return name


def validate_phone(phone: str) -> str:
    """A Chinese mobile (11 digits from 13x to 19x, +86 dropped) or landline, spaces removed."""
    p = "".join(unicodedata.normalize("NFKC", phone).split())
    country = _MOBILE_WITH_COUNTRY.fullmatch(p)
    if country:
        return country.group(1)
    if _MOBILE.fullmatch(p) or _LANDLINE.fullmatch(p):
        return p
    raise InvalidApplicant(field="phone", why="neither a mobile (1xxxxxxxxxx) nor a landline number")


def validate_applicant_id(id_number: str, today: date | None = None) -> str:
    """`idnumber.validate_id_number`, its faults said of the applicant's field."""
    try:
        return validate_id_number(id_number, today)
    except InvalidIdNumber as exc:
        raise exc.at("applicant.id_number", zh="申请人身份证号有误") from None


@dataclass(frozen=True)
class Applicant:
    """Validated and normalised on construction, so a case never holds an unchecked applicant."""

    name: str
    id_number: str
    phone: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", validate_name(self.name))
        object.__setattr__(self, "id_number", validate_applicant_id(self.id_number))
        object.__setattr__(self, "phone", validate_phone(self.phone))


# --- case numbers ------------------------------------------------------------------------------

_HALL = re.compile(r"[A-Z0-9_-]{1,32}")
_DEPARTMENT = re.compile(r"[A-Z0-9_]{1,20}")
# The hall's code first (issue 16: halls share an approval platform), then the department, whose code
# has no "-", so the hall's may: the last three parts are always the department, the year and the
# sequence. A number without a hall is one opened before halls carried their code: still read.
_NUMBER = re.compile(r"(?:([A-Z0-9_-]{1,32})-)?([A-Z0-9_]{1,20})-([0-9]{4})-([0-9]{6})")
_MAX_SEQ = 999_999
# The columns that hold a case number (server/db/case_tables.py).
MAX_LENGTH = 40


@dataclass(frozen=True)
class CaseNumber:
    """A case number's parts; `hall` is None in a number written before halls carried their code."""

    hall: str | None
    department: str
    year: int
    seq: int

    def __str__(self) -> str:
        hall = f"{self.hall}-" if self.hall is not None else ""
        return f"{hall}{self.department}-{self.year}-{self.seq:06d}"


def written(number: CaseNumber) -> str:
    """The number of these parts as the hall writes it; parts no number can have: `InvalidCaseNumber`."""
    if number.hall is not None and not _HALL.fullmatch(number.hall):
        raise InvalidCaseNumber(why=f"hall code {number.hall!r} is not 1-32 of A-Z, 0-9, _ and -")
    if not _DEPARTMENT.fullmatch(number.department):
        raise InvalidCaseNumber(why=f"department code {number.department!r} is not A-Z, 0-9 and _")
    if not 1000 <= number.year <= 9999:
        raise InvalidCaseNumber(why=f"year {number.year} is not four digits")
    if not 1 <= number.seq <= _MAX_SEQ:
        raise InvalidCaseNumber(why=f"sequence {number.seq} is not between 1 and {_MAX_SEQ}")
    text = str(number)
    if len(text) > MAX_LENGTH:
        raise InvalidCaseNumber(why=f"{text} is longer than {MAX_LENGTH} characters (shorten the hall's code)")
    return text


def case_number(hall: str, department: str, year: int, seq: int) -> str:
    """`{HALL}-{DEPT}-{YEAR}-{SEQ:06d}`, the hall's code in upper case (CITY-SCJG-2026-000123): two
    halls never write the same number. The sequence runs per hall, department and year, kept by
    the database."""
    return written(CaseNumber(hall.upper(), department, year, seq))


def parse_case_number(s: str) -> CaseNumber:
    """The parts of a number as a visitor types it (any case, stray spaces); a string that cannot
    be a number names no case (`UnreadableCaseNumber`, a not-found)."""
    m = _NUMBER.fullmatch("".join(unicodedata.normalize("NFKC", s).split()).upper())
    if not m or int(m.group(4)) == 0:
        raise UnreadableCaseNumber(number=s, why="this is not one")
    return CaseNumber(m.group(1), m.group(2), int(m.group(3)), int(m.group(4)))


def canonical_case_number(s: str) -> str:
    """The number as the hall writes it, however it was typed."""
    return written(parse_case_number(s))


# --- the case ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusChange:
    at: datetime
    status: Status
    previous: Status | None
    actor: str
    note: str = ""


@dataclass(frozen=True)
class Case:
    number: str
    item: str
    department: str  # the lead department (article 17)
    copied_departments: tuple[str, ...]
    applicant: Applicant
    materials: tuple[str, ...]  # codes received at the window
    outcome: Outcome
    status: Status
    accepted_on: date  # the day of the window service, whatever its outcome
    promised: date | None  # decision due (article 16); None when nothing is to be decided
    history: tuple[StatusChange, ...]
    missing: tuple[str, ...] = ()  # the notice's corrections (article 14)
    reason: str = ""  # of a refusal or a denial
    follows: str | None = None  # the notice whose missing papers this visit brought
    suspended_since: datetime | None = None  # the clock stopped (中止计时), see `case_clock`

    @property
    def clocked(self) -> bool:
        """Article 16's promise is still to keep (receipt answer, decision or delivery)."""
        return self.status in CLOCKED

    @property
    def clock_running(self) -> bool:
        return self.clocked and self.suspended_since is None


def _aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise NaiveTime()


def _material_codes(item: Item, codes: Iterable[str]) -> tuple[str, ...]:
    unique = tuple(dict.fromkeys(codes))
    unknown = [c for c in unique if item.material(c) is None]
    if unknown:
        raise UnknownMaterial(item=item.code, codes=", ".join(unknown))
    return unique


def open_case(
    *,
    hall: str,
    item: Item,
    outcome: Outcome,
    seq: int,
    applicant: Applicant,
    materials: Iterable[str],
    at: datetime,
    actor: str,
    calendar: WorkCalendar,
    missing: Iterable[str] = (),
    reason: str = "",
    receipt_days: int = 5,
    follows: str | None = None,
) -> Case:
    """The case a window service opens, numbered in `hall` (its code). `at` is in the hall's time
    zone: its date is the acceptance day, and its year the year of the number. A receipt's answer
    is due `receipt_days` working days later; `follows` names the notice this visit answers."""
    _aware(at)
    if outcome is Outcome.CONSULTED:
        raise ConsultationOpensNoCase()
    today = at.date()
    validate_applicant_id(applicant.id_number, today=today)
    received = _material_codes(item, materials)
    missing = _material_codes(item, missing)
    reason = reason.strip()
    if outcome is Outcome.NOTICE and not missing:
        raise EmptyNotice()
    if outcome is not Outcome.NOTICE and missing:
        raise MissingOnlyInNotice(outcome=outcome)
    if outcome is Outcome.REFUSED and not reason:
        raise MissingReason(what="refusal", where="reason")

    promised = None
    if outcome is Outcome.ACCEPTED:
        promised = calendar.add_working_days(today, item.guide.time_limit_days)
    elif outcome is Outcome.CONCLUDED:
        promised = today
    elif outcome is Outcome.RECEIVED:
        promised = calendar.add_working_days(today, receipt_days)
    status = _FIRST_STATUS[outcome]
    return Case(
        number=case_number(hall, item.department, today.year, seq),
        item=item.code,
        department=item.department,
        copied_departments=item.copied_departments,
        applicant=applicant,
        materials=received,
        outcome=outcome,
        status=status,
        accepted_on=today,
        promised=promised,
        history=(StatusChange(at=at, status=status, previous=None, actor=actor, note=reason),),
        missing=missing,
        reason=reason,
        follows=follows,
    )


def advance(case: Case, to: Status, *, at: datetime, actor: str, note: str = "", legal_basis: str = "") -> Case:
    """The case moved to `to`; for a denial, `note` is the reason the written decision states and
    `legal_basis` the provisions it cites, both required."""
    _aware(at)
    if case.status is Status.RECEIVED and to in TRANSITIONS[case.status]:
        raise ReceiptNeedsAnswer(status=to)
    if case.suspended_since is not None:
        raise ClockSuspended(number=case.number)
    allowed = TRANSITIONS[case.status]
    if to not in allowed:
        raise IllegalCaseTransition(
            from_status=case.status,
            to_status=to,
            allowed=", ".join(sorted(allowed)) or "nothing, it is final",
        )
    note = note.strip()
    if to is Status.DECIDED_DENIED and not note:
        raise MissingReason(what="denial", where="note")
    if to is Status.DECIDED_DENIED and not legal_basis.strip():
        raise MissingLegalBasis(what="denial", where="legal_basis")
    change = StatusChange(at=at, status=to, previous=case.status, actor=actor, note=note)
    return replace(
        case,
        status=to,
        history=(*case.history, change),
        reason=note if to is Status.DECIDED_DENIED else case.reason,
    )


# --- article 16 days left (the warning tiers are in `deadlines`) -------------------------------


def working_days_left(case: Case, today: date, calendar: WorkCalendar) -> int | None:
    """Working days until the promised date: 0 on the due day, negative once overdue; None when
    nothing is pending (delivered, a notice, a refusal) or the clock is suspended."""
    if not case.clock_running or case.promised is None:
        return None
    left = calendar.working_days_between(today, case.promised)
    # A closed day after the due day counts no working day, yet the promise is already broken.
    return min(left, -1) if today > case.promised else left


# --- article 20 progress view ------------------------------------------------------------------


class NumberKind(StrEnum):
    """What the case number records. Only an accepted application (受理, or concluded on the spot)
    has an acceptance number (受理编号); a notice or a refusal accepted nothing, and its number
    only registers the written document (登记编号)."""

    ACCEPTANCE = "acceptance"
    RECORD = "record"


def number_kind(case: Case) -> NumberKind:
    accepted = case.outcome in (Outcome.ACCEPTED, Outcome.CONCLUDED) or any(
        c.status is Status.ACCEPTED for c in case.history)
    return NumberKind.ACCEPTANCE if accepted else NumberKind.RECORD


def decided_against(case: Case) -> bool:
    """A refusal at the window or a denial: a decision the applicant may contest (review, court)."""
    return case.outcome is Outcome.REFUSED or any(c.status is Status.DECIDED_DENIED for c in case.history)


@dataclass(frozen=True)
class ProgressView:
    """What a progress query shows anyone holding the case number: no ID number, no phone, a
    masked name, no staff and no notes of the case's history (they may quote personal details).
    The reason is the exception: a refusal, a denial or a notice states it to the applicant in
    writing (article 14), and the page must say why as the document does."""

    number: str
    item: str
    department: str
    copied_departments: tuple[str, ...]
    applicant_name: str
    outcome: Outcome
    status: Status
    accepted_on: date
    promised: date | None
    missing: tuple[str, ...]
    history: tuple[tuple[Status, datetime], ...]
    number_kind: NumberKind = NumberKind.ACCEPTANCE
    reason: str = ""
    contestable: bool = False  # the applicant may seek review or sue: the page states how


def public_view(case: Case) -> ProgressView:
    return ProgressView(
        number=case.number,
        item=case.item,
        department=case.department,
        copied_departments=case.copied_departments,
        applicant_name=mask_name(case.applicant.name),
        outcome=case.outcome,
        status=case.status,
        accepted_on=case.accepted_on,
        promised=case.promised,
        missing=case.missing,
        history=tuple((c.status, c.at) for c in case.history),
        number_kind=number_kind(case),
        reason=case.reason if decided_against(case) or case.status is Status.NOTICED else "",
        contestable=decided_against(case),
    )
