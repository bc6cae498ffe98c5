import itertools
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.core.case_errors import (
    ConsultationOpensNoCase,
    EmptyNotice,
    IllegalCaseTransition,
    InvalidApplicant,
    InvalidCaseNumber,
    MissingLegalBasis,
    MissingOnlyInNotice,
    MissingReason,
    NaiveTime,
    UnknownMaterial,
)
from server.core.cases import (
    TRANSITIONS,
    Applicant,
    CaseNumber,
    NumberKind,
    Outcome,
    Status,
    advance,
    canonical_case_number,
    case_number,
    open_case,
    parse_case_number,
    public_view,
    working_days_left,
)
from server.core.deadlines import TimeLeft, time_left, warning_level
from server.core.hall import CalendarOverrides, Guide, Hours, Item, Material, WarningTier
from server.core.idnumber import InvalidIdNumber, check_character
from server.core.workdays import WorkCalendar, chinese_calendar_lookup

BEIJING = timezone(timedelta(hours=8))
CALENDAR = WorkCalendar(CalendarOverrides(), national=chinese_calendar_lookup)
ID_NUMBER = "11010519491231002X"


def at(y, m, d, hour=10):
    return datetime(y, m, d, hour, tzinfo=BEIJING)


def make_item(time_limit_days=5):
    return Item(
        code="SCJG-001",
        name="食品经营许可",
        name_en="Food business licence",
        department="SCJG",
        queue="A",
        guide=Guide(
            legal_basis="",
            conditions="",
            materials=(
                Material("M1", "申请书", "Application"),
                Material("M2", "营业执照"),
                Material("M3", "平面图"),
            ),
            fee="",
            time_limit_days=time_limit_days,
            contact="",
        ),
        typical_minutes=15,
        copied_departments=("SWJ",),
    )


ITEM = make_item()
APPLICANT = Applicant(name="张小三", id_number=ID_NUMBER, phone="13812345678")


def opened(outcome=Outcome.ACCEPTED, when=None, item=ITEM, **kwargs):
    kwargs.setdefault("materials", ("M1", "M2", "M3"))
    return open_case(
        hall="city",
        item=item,
        outcome=outcome,
        seq=42,
        applicant=APPLICANT,
        at=when or at(2026, 9, 30),
        actor="staff-7",
        calendar=CALENDAR,
        **kwargs,
    )


def moved(case, *statuses):
    for i, status in enumerate(statuses):
        case = advance(case, status, at=at(2026, 10, 8 + i), actor="staff-9", note="材料不符", legal_basis="某法第一条")
    return case


# --- opening ---


def test_accepted_case_is_numbered_per_hall_department_and_year_and_promised_in_working_days():
    case = opened()
    assert case.number == "CITY-SCJG-2026-000042"
    assert case.status is Status.ACCEPTED
    assert case.accepted_on == date(2026, 9, 30)
    # Oct 1-7 closed, then Thu 8, Fri 9, make-up Sat 10, Mon 12, Tue 13.
    assert case.promised == date(2026, 10, 13)
    assert case.department == "SCJG" and case.copied_departments == ("SWJ",)
    assert [(c.previous, c.status, c.actor) for c in case.history] == [(None, Status.ACCEPTED, "staff-7")]


def test_zero_day_limit_is_due_on_the_acceptance_day():
    assert opened(item=make_item(0)).promised == date(2026, 9, 30)


def test_notice_lists_missing_materials_and_ends_there():
    case = opened(Outcome.NOTICE, materials=("M1",), missing=("M2", "M3", "M2"))
    assert case.status is Status.NOTICED
    assert case.missing == ("M2", "M3")
    assert case.promised is None
    assert TRANSITIONS[case.status] == frozenset()


def test_notice_without_missing_materials_is_refused():
    with pytest.raises(EmptyNotice):
        opened(Outcome.NOTICE, missing=())


def test_notice_may_only_name_the_items_materials():
    with pytest.raises(UnknownMaterial, match="M9"):
        opened(Outcome.NOTICE, missing=("M2", "M9"))


def test_only_a_notice_lists_missing_materials():
    with pytest.raises(MissingOnlyInNotice, match="accepted"):
        opened(missing=("M2",))


def test_received_materials_must_be_the_items():
    with pytest.raises(UnknownMaterial, match="SCJG-001 has no material X1"):
        opened(materials=("M1", "X1"))


def test_refusal_needs_a_reason():
    with pytest.raises(MissingReason, match="refusal"):
        opened(Outcome.REFUSED, reason="  ")
    case = opened(Outcome.REFUSED, reason="不属于本部门职权范围")
    assert case.status is Status.REFUSED and case.reason == "不属于本部门职权范围"


def test_concluded_on_the_spot_is_final_and_due_the_same_day():
    case = opened(Outcome.CONCLUDED)
    assert case.status is Status.CONCLUDED
    assert case.promised == case.accepted_on
    assert level(case, at(2026, 10, 30)) is None


def test_consultation_opens_no_case():
    with pytest.raises(ConsultationOpensNoCase):
        opened(Outcome.CONSULTED)


def test_naive_times_are_refused():
    with pytest.raises(NaiveTime):
        opened(when=datetime(2026, 9, 30, 10))
    with pytest.raises(NaiveTime):
        advance(opened(), Status.IN_REVIEW, at=datetime(2026, 10, 8), actor="staff-9")


def test_applicant_born_after_the_acceptance_day_is_refused():
    first17 = "11010520300101002"
    applicant = Applicant(name="张三", id_number=first17 + check_character(first17), phone="13812345678")
    with pytest.raises(InvalidIdNumber, match="future"):
        open_case(
            hall="city",
            item=ITEM,
            outcome=Outcome.ACCEPTED,
            seq=1,
            applicant=applicant,
            materials=(),
            at=at(2026, 9, 30),
            actor="staff-7",
            calendar=CALENDAR,
        )


# --- life cycle ---


def test_accepted_case_goes_through_review_decision_and_delivery():
    case = moved(opened(), Status.IN_REVIEW, Status.DECIDED_APPROVED, Status.DELIVERED)
    assert case.status is Status.DELIVERED
    assert [c.status for c in case.history] == [
        Status.ACCEPTED,
        Status.IN_REVIEW,
        Status.DECIDED_APPROVED,
        Status.DELIVERED,
    ]
    assert [c.previous for c in case.history[1:]] == [c.status for c in case.history[:-1]]


def test_denial_states_its_reason():
    reviewing = moved(opened(), Status.IN_REVIEW)
    with pytest.raises(MissingReason, match="denial"):
        advance(reviewing, Status.DECIDED_DENIED, at=at(2026, 10, 9), actor="staff-9")
    # Issue 14: the written decision cites its legal basis, so a denial without one is refused.
    with pytest.raises(MissingLegalBasis, match="legal basis"):
        advance(reviewing, Status.DECIDED_DENIED, at=at(2026, 10, 9), actor="staff-9", note="场地不符")
    with pytest.raises(MissingLegalBasis):
        advance(reviewing, Status.DECIDED_DENIED, at=at(2026, 10, 9), actor="staff-9", note="场地不符",
                legal_basis="  ")
    denied = advance(reviewing, Status.DECIDED_DENIED, at=at(2026, 10, 9), actor="staff-9", note="场地不符",
                     legal_basis="《中华人民共和国行政许可法》第三十八条")
    assert denied.reason == "场地不符"
    assert advance(denied, Status.DELIVERED, at=at(2026, 10, 10), actor="staff-9").reason == "场地不符"


ILLEGAL = [(a, b) for a, b in itertools.product(Status, Status) if b not in TRANSITIONS[a]]


@pytest.mark.parametrize(("from_status", "to_status"), ILLEGAL)
def test_every_illegal_transition_raises_naming_both_states(from_status, to_status):
    case = replace(opened(), status=from_status)
    with pytest.raises(IllegalCaseTransition) as raised:
        advance(case, to_status, at=at(2026, 10, 8), actor="staff-9", note="reason")
    message = str(raised.value)
    assert f"from {from_status.value} to {to_status.value}" in message


def test_every_status_is_in_the_transition_table():
    assert set(TRANSITIONS) == set(Status)


def test_illegal_transition_message_lists_what_is_allowed():
    with pytest.raises(IllegalCaseTransition, match=r"\(from accepted: in_review\)"):
        advance(opened(), Status.DELIVERED, at=at(2026, 10, 8), actor="staff-9")
    with pytest.raises(IllegalCaseTransition, match="it is final"):
        advance(opened(Outcome.CONCLUDED), Status.IN_REVIEW, at=at(2026, 10, 8), actor="staff-9")


# --- days left (article 16), promised Tue 2026-10-13 ---


@pytest.mark.parametrize(
    ("today", "left"),
    [
        (date(2026, 10, 8), 4),
        (date(2026, 10, 10), 2),  # the make-up Saturday counts
        (date(2026, 10, 11), 2),  # a Sunday counts no day down
        (date(2026, 10, 13), 0),
        (date(2026, 10, 14), -1),
        (date(2026, 10, 30), -13),
    ],
)
def test_working_days_left_on_the_hall_calendar(today, left):
    assert working_days_left(opened(), today, CALENDAR) == left


def test_closed_day_after_the_due_day_is_already_overdue():
    case = opened(item=make_item(2), when=at(2026, 10, 14))
    assert case.promised == date(2026, 10, 16)  # a Friday
    assert working_days_left(case, date(2026, 10, 17), CALENDAR) == -1
    assert level(case, datetime(2026, 10, 17, 9, tzinfo=BEIJING)) == "red"


# --- warning tiers (article 16): shares of each item's time limit, in opening hours ---

HOURS = Hours(periods=((time(9), time(17)),))
TIERS = (WarningTier("yellow", 1 / 3), WarningTier("orange", 0.1), WarningTier("red", 0.0))
SEVERITY = {None: 0, "yellow": 1, "orange": 2, "red": 3}


def level(case, now, tiers=TIERS):
    return warning_level(case, now, HOURS, CALENDAR, BEIJING, tiers)


def test_a_one_day_item_is_green_when_accepted_and_warns_only_on_its_due_afternoon():
    # The defect: with "yellow at 2 days left" every 1-day case was yellow at acceptance.
    case = opened(item=make_item(1), when=at(2026, 11, 25, 10))  # Wednesday, due Thursday
    assert case.promised == date(2026, 11, 26)
    # 15 working hours: Wednesday 10-17 and Thursday 9-17.
    assert level(case, at(2026, 11, 25, 10)) is None
    assert level(case, at(2026, 11, 25, 16)) is None
    assert level(case, at(2026, 11, 26, 11)) is None  # 6 h of 15 ahead
    assert level(case, at(2026, 11, 26, 13)) == "yellow"  # 4 h ahead, under a third
    assert level(case, at(2026, 11, 26, 16)) == "orange"  # 1 h ahead, under a tenth
    assert level(case, datetime(2026, 11, 26, 23, 59, tzinfo=BEIJING)) == "orange"  # closed, not yet broken
    assert level(case, datetime(2026, 11, 27, 0, 0, tzinfo=BEIJING)) == "red"


def test_a_same_day_item_is_judged_in_the_hours_of_its_day():
    # The defect: with "orange at 0 days left" every same-day case was orange at acceptance.
    case = opened(item=make_item(0), when=at(2026, 11, 25, 9))  # 8 working hours to use
    assert level(case, at(2026, 11, 25, 9)) is None
    assert level(case, at(2026, 11, 25, 14)) is None  # 3 h of 8 ahead
    assert level(case, datetime(2026, 11, 25, 14, 30, tzinfo=BEIJING)) == "yellow"
    assert level(case, datetime(2026, 11, 25, 16, 20, tzinfo=BEIJING)) == "orange"
    assert level(case, at(2026, 11, 26, 9)) == "red"


def test_a_long_limit_warns_in_its_last_days_across_holidays():
    case = opened()  # Wed 30 Sep 10:00, 5 days: 7 h + Oct 8, 9, 10 (make-up Saturday), 12, 13 = 47 h
    assert level(case, at(2026, 10, 8)) is None
    assert level(case, at(2026, 10, 10)) is None  # 23 h ahead
    assert level(case, at(2026, 10, 11)) is None  # Sunday: 16 h ahead, still a third
    assert level(case, at(2026, 10, 12, 12)) == "yellow"
    assert level(case, at(2026, 10, 13, 14)) == "orange"
    assert level(case, at(2026, 10, 14, 9)) == "red"


def test_a_case_accepted_after_closing_on_its_due_day_is_green_until_the_promise_breaks():
    case = opened(item=make_item(0), when=at(2026, 11, 25, 18))
    assert level(case, at(2026, 11, 25, 18)) is None
    assert level(case, at(2026, 11, 25, 23)) is None
    assert level(case, at(2026, 11, 26, 9)) == "red"


def test_time_left_tells_the_share_and_the_seconds():
    case = opened(item=make_item(0), when=at(2026, 11, 25, 9))
    left = time_left(case, at(2026, 11, 25, 15), HOURS, CALENDAR, BEIJING)
    assert left == TimeLeft(share=0.25, seconds=7200.0, overdue=False)


def test_case_in_review_still_warns():
    case = moved(opened(), Status.IN_REVIEW)
    assert level(case, at(2026, 10, 13, 16)) == "orange"


@pytest.mark.parametrize("decided", [Status.DECIDED_APPROVED, Status.DECIDED_DENIED])
def test_a_decided_case_warns_until_it_is_delivered(decided):
    # Article 16: the decision AND its delivery within the promise.
    case = moved(opened(), Status.IN_REVIEW, decided)
    assert level(case, at(2026, 10, 30)) == "red"
    assert level(moved(case, Status.DELIVERED), at(2026, 10, 30)) is None


def test_notice_and_refusal_never_warn():
    for case in (opened(Outcome.NOTICE, missing=("M2",)), opened(Outcome.REFUSED, reason="超出范围")):
        assert working_days_left(case, date(2026, 12, 1), CALENDAR) is None
        assert level(case, at(2026, 12, 1)) is None


def test_tiers_follow_the_configuration_in_any_order():
    tiers = (WarningTier("late", 0.0), WarningTier("soon", 0.5))
    case = opened(item=make_item(0), when=at(2026, 11, 25, 9))
    assert level(case, at(2026, 11, 25, 12), tiers) is None
    assert level(case, at(2026, 11, 25, 14), tiers) == "soon"
    assert level(case, at(2026, 11, 26), tiers) == "late"
    assert level(case, at(2026, 11, 26), ()) is None


# Any working-day schedule: limits of 0 to 20 days, accepted at any minute of a week of November
# 2026 (days off included), looked at up to 40 days later.
limits = st.integers(min_value=0, max_value=20)
accepted_at = st.integers(min_value=0, max_value=7 * 24 * 60).map(
    lambda m: datetime(2026, 11, 23, tzinfo=BEIJING) + timedelta(minutes=m))
later = st.integers(min_value=0, max_value=40 * 24 * 60).map(lambda m: timedelta(minutes=m))


@given(limits, accepted_at)
def test_no_case_is_worse_than_green_when_accepted(days, when):
    case = opened(item=make_item(days), when=when)
    assert level(case, when) is None


@given(limits, accepted_at, later, later)
def test_the_tier_never_falls_back_as_time_passes(days, when, a, b):
    case = opened(item=make_item(days), when=when)
    first, second = sorted((a, b))
    assert SEVERITY[level(case, when + first)] <= SEVERITY[level(case, when + second)]
    share_first = time_left(case, when + first, HOURS, CALENDAR, BEIJING)
    share_second = time_left(case, when + second, HOURS, CALENDAR, BEIJING)
    assert 0.0 <= share_second.share <= share_first.share <= 1.0


@given(limits, accepted_at, later)
def test_overdue_is_always_red_and_red_is_always_overdue(days, when, after):
    case = opened(item=make_item(days), when=when)
    now = when + after
    overdue = now.date() > case.promised
    assert (level(case, now) == "red") is overdue
    assert (working_days_left(case, now.date(), CALENDAR) < 0) is overdue


# --- public view (article 20) ---


def test_public_view_masks_the_name_and_drops_id_phone_staff_and_notes():
    case = advance(opened(), Status.IN_REVIEW, at=at(2026, 10, 8), actor="staff-9", note="内部：申请人电话已核")
    case = advance(case, Status.DECIDED_DENIED, at=at(2026, 10, 9), actor="staff-9", note="经营范围不符",
                   legal_basis="某法第一条")
    view = public_view(case)
    assert view.applicant_name == "张*三"
    assert view.number == case.number and view.status is Status.DECIDED_DENIED
    text = repr(view)
    for secret in (ID_NUMBER, "13812345678", "张小三", "staff-", "内部"):
        assert secret not in text
    # The denial states its reason in writing, and the applicant may contest it.
    assert view.reason == "经营范围不符" and view.contestable
    assert view.number_kind is NumberKind.ACCEPTANCE


def test_public_view_of_a_refusal_has_a_record_number_its_reason_and_the_rights():
    view = public_view(opened(Outcome.REFUSED, reason="不属于本中心受理范围"))
    assert view.number_kind is NumberKind.RECORD
    assert view.reason == "不属于本中心受理范围" and view.contestable


def test_public_view_of_a_notice_has_a_record_number_and_no_rights():
    view = public_view(opened(Outcome.NOTICE, missing=("M2",), reason="请加盖公章"))
    assert view.number_kind is NumberKind.RECORD and not view.contestable
    assert view.reason == "请加盖公章" and view.missing == ("M2",)


def test_accepted_and_concluded_cases_have_acceptance_numbers_and_no_reason():
    for case in (opened(Outcome.ACCEPTED), opened(Outcome.CONCLUDED)):
        view = public_view(case)
        assert view.number_kind is NumberKind.ACCEPTANCE and view.reason == "" and not view.contestable


def test_public_view_of_a_notice_tells_what_to_bring():
    assert public_view(opened(Outcome.NOTICE, missing=("M3",))).missing == ("M3",)


# --- applicant ---


def test_applicant_is_normalised():
    a = Applicant(name=" 李四 ", id_number="11010519491231002x", phone="+86 138 1234 5678")
    assert (a.name, a.id_number, a.phone) == ("李四", ID_NUMBER, "13812345678")


@pytest.mark.parametrize(
    "phone", ["13812345678", "010-65123456", "01065123456", "0755 8888 8888", "65123456"]
)
def test_plausible_phones_pass(phone):
    Applicant(name="李四", id_number=ID_NUMBER, phone=phone)


@pytest.mark.parametrize(
    "phone", ["", "12345", "10012345678", "1381234567", "138123456789", "abc", "13٨12345678"]
)
def test_implausible_phones_fail(phone):
    with pytest.raises(InvalidApplicant, match="phone"):
        Applicant(name="李四", id_number=ID_NUMBER, phone=phone)


@pytest.mark.parametrize("name", ["", "   ", "张\x00三", "张" * 65])
def test_bad_names_fail(name):
    with pytest.raises(InvalidApplicant, match="name"):
        Applicant(name=name, id_number=ID_NUMBER, phone="13812345678")


def test_bad_id_number_fails():
    with pytest.raises(InvalidIdNumber):
        Applicant(name="李四", id_number="110105194912310021", phone="13812345678")


# --- case numbers ---


# A hall's code and a department's at most 12 each: with year and sequence, 37 of the column's 40
# (a longer pair is refused when the hall file is read, and by case_number itself).
@given(
    st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True),
    st.from_regex(r"[A-Z0-9_]{1,12}", fullmatch=True),
    st.integers(min_value=1000, max_value=9999),
    st.integers(min_value=1, max_value=999_999),
)
def test_case_number_round_trips(hall, department, year, seq):
    """The hall's code may hold "-": the department, year and sequence are always the last three parts."""
    number = case_number(hall, department, year, seq)
    assert number.startswith(hall.upper() + "-")
    assert parse_case_number(number) == CaseNumber(hall.upper(), department, year, seq)
    assert canonical_case_number(number.lower()) == number


def test_case_number_leads_with_the_hall_code_in_upper_case():
    assert case_number("city", "SCJG", 2026, 123) == "CITY-SCJG-2026-000123"
    assert case_number("d1", "SCJG", 2026, 123) == "D1-SCJG-2026-000123"


def test_case_number_as_typed_by_a_visitor_parses():
    assert parse_case_number(" city-scjg-2026-000042 ") == CaseNumber("CITY", "SCJG", 2026, 42)
    assert canonical_case_number(" city-scjg-2026-000042 ") == "CITY-SCJG-2026-000042"


def test_a_number_from_before_halls_carried_their_code_still_reads():
    """Slips printed before issue 16 carry DEPT-YEAR-SEQ: the cases keep those numbers."""
    assert parse_case_number(" scjg-2026-000042 ") == CaseNumber(None, "SCJG", 2026, 42)
    assert canonical_case_number(" scjg-2026-000042 ") == "SCJG-2026-000042"


@pytest.mark.parametrize(
    "args", [("city", "SC-JG", 2026, 1), ("city", "SCJG", 26, 1), ("city", "SCJG", 2026, 0),
             ("city", "SCJG", 2026, 1_000_000), ("", "SCJG", 2026, 1), ("ci ty", "SCJG", 2026, 1),
             ("H" * 20, "D" * 20, 2026, 1)]
)
def test_bad_case_number_parts_are_refused(args):
    with pytest.raises(InvalidCaseNumber):
        case_number(*args)


@pytest.mark.parametrize(
    "text", ["SCJG-2026-42", "SCJG2026000042", "SCJG-2026-000000", "", "SCJG-٢٠٢٦-000042", "CITY-SCJG-2026-42",
             "CITY/SCJG-2026-000042", "CITY--2026-000042"]
)
def test_bad_case_numbers_do_not_parse(text):
    with pytest.raises(InvalidCaseNumber):
        parse_case_number(text)
