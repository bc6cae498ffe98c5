"""Who may read a case, see its applicant whole, move it, pull it and see its warnings: the table
of `server/core/case_access.py`, checked row by row and as invariants over every kind of reader."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.core import case_access as access
from server.core.errors import Forbidden
from server.core.windows import Role, Staff
from tests.core.test_cases import opened

# Led by SCJG, copied to SWJ (article 17); opened by staff 7.
CASE = replace(opened(), copied_departments=("SWJ",))
OPENER = 7


def staff(role: Role, department: str | None = None, staff_id: int = 1) -> Staff:
    return Staff(id=staff_id, username=f"{role.value}{staff_id}", role=role, department=department)


PLATFORM = access.Device("platform")
KIOSK = access.Device("kiosk")

# reader → (reads, sees the applicant whole, moves)
TABLE = {
    "window staff of the lead department": (staff(Role.WINDOW, "SCJG"), True, True, True),
    "chief of the lead department": (staff(Role.CHIEF, "SCJG"), True, True, True),
    "window staff of a copied department": (staff(Role.WINDOW, "SWJ"), True, True, False),
    "chief of a copied department": (staff(Role.CHIEF, "SWJ"), True, True, False),
    "the generalist who opened it": (staff(Role.WINDOW, "ZHCK", staff_id=OPENER), True, True, False),
    "window staff of another department": (staff(Role.WINDOW, "RSJ"), False, False, False),
    "chief of another department": (staff(Role.CHIEF, "RSJ"), False, False, False),
    "a manager": (staff(Role.MANAGER), True, False, True),
    "an admin": (staff(Role.ADMIN), True, False, False),
    "the approval platform": (PLATFORM, True, True, True),
    "a kiosk": (KIOSK, False, False, False),
}


@pytest.mark.parametrize("reader", TABLE)
def test_the_table_of_who_reads_sees_and_moves(reader):
    caller, reads, sees, moves = TABLE[reader]
    assert access.may_read(caller, CASE, OPENER) is reads
    assert access.sees_identity(caller, CASE, OPENER) is sees
    assert access.may_move(caller, CASE) is moves


def test_a_refusal_names_the_case_and_its_department_in_both_languages():
    outsider = staff(Role.WINDOW, "RSJ")
    with pytest.raises(Forbidden) as read:
        access.require_read(outsider, CASE, OPENER)
    assert CASE.number in read.value.message and "SCJG" in read.value.message_zh
    with pytest.raises(Forbidden) as move:
        access.require_move(outsider, CASE)
    assert "led by SCJG" in move.value.message and "主办" in move.value.message_zh


def test_pulling_is_for_the_platform_and_the_managers():
    assert access.may_pull(PLATFORM) and access.may_pull(staff(Role.MANAGER))
    for caller in (KIOSK, staff(Role.ADMIN), staff(Role.CHIEF, "SCJG"), staff(Role.WINDOW, "SCJG")):
        assert not access.may_pull(caller)
        with pytest.raises(Forbidden):
            access.require_pull(caller)


def test_warnings_are_the_chiefs_own_and_all_for_managers_and_admins():
    assert access.warning_departments(staff(Role.CHIEF, "SCJG")) == ("SCJG",)
    assert access.warning_departments(staff(Role.MANAGER)) is None
    assert access.warning_departments(staff(Role.ADMIN)) is None
    for caller in (staff(Role.WINDOW, "SCJG"), staff(Role.CHIEF)):
        with pytest.raises(Forbidden):
            access.warning_departments(caller)


DEPARTMENTS = st.sampled_from([None, "SCJG", "SWJ", "RSJ", "ZHCK"])
CALLERS = st.one_of(
    st.builds(staff, st.sampled_from(list(Role)), DEPARTMENTS, st.integers(1, 9)),
    st.builds(access.Device, st.sampled_from(["platform", "kiosk", "display", "agent"])),
)


@given(CALLERS, st.one_of(st.none(), st.integers(1, 9)))
def test_whoever_sees_the_applicant_or_moves_the_case_also_reads_it(caller, opener):
    if access.sees_identity(caller, CASE, opener) or access.may_move(caller, CASE):
        assert access.may_read(caller, CASE, opener)


@given(CALLERS, st.one_of(st.none(), st.integers(1, 9)))
def test_only_a_department_of_the_case_its_opener_or_the_platform_see_the_applicant(caller, opener):
    if access.sees_identity(caller, CASE, opener):
        assert access.is_platform(caller) or (
            caller.role in (Role.WINDOW, Role.CHIEF)
            and (caller.department in ("SCJG", "SWJ") or caller.id == opener)
        )
