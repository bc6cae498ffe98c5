"""The hall notice (公告) that scrolls along the foot of the hall screens.

Set from the admin page (`PUT /api/v1/hall/notice`); stored so that a restart, every process and
a display that connects later show the same words; sent live as `hall.notice` {"notices": [...]}
on `hall`, which the hall screens already apply. While the stored notice has a text it is what
the screens scroll, Chinese first and the English after; cleared, the hall config's `notices` are
back.
"""

from __future__ import annotations

from typing import Any

from server.core.errors import Forbidden, Invalid
from server.core.hall import Hall
from server.core.windows import Role, Staff
from server.db import admin_repo
from server.db.uow import Actor

from .context import Services
from .views import iso

HALL_NOTICE = "hall.notice"
SETS_NOTICE = (Role.MANAGER, Role.ADMIN)


def notice_view(conn: Any, hall: Hall) -> dict[str, Any]:
    """The notice as set, and the lines the screens scroll because of it."""
    row = admin_repo.notice(conn)
    text, text_en = (row.text, row.text_en) if row else ("", "")
    lines = [t for t in (text, text_en) if t] if text else list(hall.notices)
    return {
        "text": text, "text_en": text_en, "notices": lines,
        "updated_at": iso(hall, row.updated_at) if row else None, "updated_by": row.updated_by if row else None,
    }


def notices(conn: Any, hall: Hall) -> list[str]:
    return list(notice_view(conn, hall)["notices"])


def get_notice(svc: Services) -> dict[str, Any]:
    with svc.read() as uow:
        return {"notice": notice_view(uow.conn, svc.hall)}


def set_notice(svc: Services, staff: Staff, text: str, text_en: str = "") -> dict[str, Any]:
    if staff.role not in SETS_NOTICE:
        raise Forbidden("只有大厅主任或管理员可以设置公告 / only a manager or an admin sets the hall notice")
    text, text_en = " ".join(text.split()), " ".join(text_en.split())
    if text_en and not text:
        raise Invalid("公告须先有中文 / the notice needs its Chinese text first", where="text")
    with svc.write(Actor("staff", staff.id, staff.username)) as uow:
        admin_repo.save_notice(uow.conn, text, text_en, uow.now, staff.username)
        view = notice_view(uow.conn, svc.hall)
        uow.audit("hall.notice", "", text=text, text_en=text_en)
        uow.emit(HALL_NOTICE, ["hall"], {"notices": view["notices"], "notice": view})
        svc.commit(uow)
    return {"notice": view}
