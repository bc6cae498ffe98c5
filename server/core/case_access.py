"""Who may read a case, see its applicant whole, move it or pull it (article 20 and least privilege).

| reader | reads | full applicant (ID number, phone, name) | moves it |
|---|---|---|---|
| window staff, chief representative of the lead or a copied department (art. 17) | yes | yes | lead dept. only |
| the member of staff who opened it (a proxy window's generalist) | yes | yes | no |
| hall managers | all cases | masked: they oversee time limits, not identities | yes |
| admin (technical) | all cases | masked | no |
| the approval platform (device of kind `platform`) | all cases | yes: it decides the case (article 21) | yes |
| anyone with the progress page's token | the public view of `cases.public_view` | masked name only | no |

Pulling every changed case is for the platform and the managers; the article 16 warnings are for
the chief representatives (their department's) and the managers and admins (all).
"""

from __future__ import annotations

from dataclasses import dataclass

from server.core.cases import Case
from server.core.errors import Forbidden
from server.core.windows import Role, Staff


@dataclass(frozen=True)
class Device:
    """A registered device acting on its key; of them only the approval platform reaches cases."""

    kind: str


PLATFORM = "platform"
Caller = Staff | Device


def is_platform(caller: Caller) -> bool:
    return isinstance(caller, Device) and caller.kind == PLATFORM


def _of_the_case(staff: Staff, case: Case, opened_by: int | None) -> bool:
    """Staff of the lead or a copied department (article 17), or the one who opened it."""
    in_department = staff.department is not None and staff.department in (case.department, *case.copied_departments)
    return in_department or opened_by == staff.id


def may_read(caller: Caller, case: Case, opened_by: int | None) -> bool:
    if isinstance(caller, Device):
        return is_platform(caller)
    return caller.role in (Role.MANAGER, Role.ADMIN) or _of_the_case(caller, case, opened_by)


def sees_identity(caller: Caller, case: Case, opened_by: int | None) -> bool:
    if isinstance(caller, Device):
        return is_platform(caller)
    return caller.role in (Role.WINDOW, Role.CHIEF) and _of_the_case(caller, case, opened_by)


def may_move(caller: Caller, case: Case) -> bool:
    if isinstance(caller, Device):
        return is_platform(caller)
    if caller.role is Role.MANAGER:
        return True
    # Article 17: the lead department moves a joint case; the copied ones follow it.
    return caller.role in (Role.WINDOW, Role.CHIEF) and caller.department == case.department


def may_pull(caller: Caller) -> bool:
    return is_platform(caller) or (isinstance(caller, Staff) and caller.role is Role.MANAGER)


def require_read(caller: Caller, case: Case, opened_by: int | None) -> None:
    if not may_read(caller, case, opened_by):
        raise Forbidden(f"case {case.number} belongs to {case.department}; its staff, chief and the managers see it",
                        zh=f"办件 {case.number} 属于{case.department}，仅该部门人员、首席代表和管理人员可查看")


def require_move(caller: Caller, case: Case) -> None:
    if not may_move(caller, case):
        raise Forbidden(
            f"case {case.number} is led by {case.department}: its staff, its chief representative, "
            "the managers or the approval platform move it",
            zh=f"办件 {case.number} 由{case.department}主办，仅该部门人员、首席代表、管理人员或审批平台可办理",
        )


def require_pull(caller: Caller) -> None:
    if not may_pull(caller):
        raise Forbidden("pulling cases needs the approval platform's device key or a manager",
                        zh="仅审批平台或管理人员可拉取办件")


def warning_departments(staff: Staff) -> tuple[str, ...] | None:
    """Whose cases' warnings `staff` sees: None for all of them."""
    if staff.role in (Role.MANAGER, Role.ADMIN):
        return None
    if staff.role is Role.CHIEF and staff.department:
        return (staff.department,)
    raise Forbidden("time-limit warnings are for the chief representatives and the managers",
                    zh="时限预警仅供首席代表和管理人员查看")
