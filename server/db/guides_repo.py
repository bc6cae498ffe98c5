"""Guide revisions and uploaded sample forms (server.db.guide_tables).

The guides in force are cached per process by `version`: the `guides` counter, which every guide
write (a revision, an upload) bumps under the counter's row lock, so its values commit in the order
they are taken. (The tables' largest ids would not do: on PostgreSQL an id is taken at insert but
the commits land in any order, and a process could cache a version missing a revision committed
later with a lower id.) server.app.allocated reads it in the same SELECT as the allocation's id.
Every read is of the connection's hall: its revisions, numbered per item and hall, and its uploads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, ScalarSelect, bindparam, func, insert, select

from .counters_repo import next_counter
from .guide_tables import guide_forms as forms
from .guide_tables import guide_revisions as revs
from .log_tables import counters
from .scope import hall_of

# The counter every guide write takes: its value is the guides' version (0: the hall file's).
GUIDES = "guides"


# The guides' version of the hall `:hall` as a scalar subquery, read with the allocation's id in
# one SELECT by every change: built once, so its compiled form is found without a cache key.
VERSION: ScalarSelect[Any] = (
    select(counters.c.value).where(counters.c.hall == bindparam("hall"), counters.c.name == GUIDES).scalar_subquery()
)


def bump(conn: Connection) -> int:
    """Take the guides' next version, holding the counter's row until this transaction ends."""
    return next_counter(conn, GUIDES)


def latest(conn: Connection) -> list[dict[str, Any]]:
    """Each item's latest revision."""
    hall = hall_of(conn)
    newest = select(func.max(revs.c.id)).where(revs.c.hall == hall).group_by(revs.c.item)
    rows = conn.execute(select(revs).where(revs.c.hall == hall, revs.c.id.in_(newest)).order_by(revs.c.id)).mappings()
    return [dict(r) for r in rows]


def history(conn: Connection, item: str) -> list[dict[str, Any]]:
    """Every revision of an item, newest first, without the guides themselves."""
    cols = [revs.c.revision, revs.c.author, revs.c.created_at, revs.c.note]
    rows = conn.execute(select(*cols).where(revs.c.hall == hall_of(conn), revs.c.item == item)
                        .order_by(revs.c.revision.desc())).mappings()
    return [dict(r) for r in rows]


def revision_of(conn: Connection, item: str, revision: int) -> dict[str, Any] | None:
    row = conn.execute(select(revs).where(revs.c.hall == hall_of(conn), revs.c.item == item,
                                          revs.c.revision == revision)).mappings().first()
    return dict(row) if row else None


def add_revision(conn: Connection, *, item: str, guide: dict[str, Any], author_id: int | None, author: str,
                 at: datetime, note: str) -> int:
    """Store the item's next revision; its number, taken under the item's counter row, so two
    admins saving at once get 2 and 3, never 2 twice."""
    number = next_counter(conn, f"guide:{item}")
    bump(conn)
    conn.execute(insert(revs).values(hall=hall_of(conn), item=item, revision=number, guide=guide, author_id=author_id,
                                     author=author, created_at=at, note=note))
    return number


def uploaded_forms(conn: Connection) -> list[dict[str, Any]]:
    """The latest upload of each (item, material), without the bytes."""
    hall = hall_of(conn)
    newest = select(func.max(forms.c.id)).where(forms.c.hall == hall).group_by(forms.c.item, forms.c.material)
    cols = [forms.c.id, forms.c.item, forms.c.material, forms.c.filename, forms.c.content_type, forms.c.size,
            forms.c.author, forms.c.created_at]
    return [dict(r) for r in conn.execute(select(*cols).where(forms.c.hall == hall, forms.c.id.in_(newest))).mappings()]


def form_data(conn: Connection, form_id: int) -> bytes | None:
    value = conn.execute(select(forms.c.data).where(forms.c.hall == hall_of(conn), forms.c.id == form_id)).scalar()
    return bytes(value) if value is not None else None


def add_form(conn: Connection, *, item: str, material: str, filename: str, content_type: str, data: bytes,
             author: str, at: datetime) -> int:
    bump(conn)
    result = conn.execute(insert(forms).values(hall=hall_of(conn), item=item, material=material, filename=filename,
                                               content_type=content_type, size=len(data), data=data,
                                               author=author, created_at=at).returning(forms.c.id))
    return int(result.scalar_one())


def version(conn: Connection) -> int:
    """The guides' version; 0 while the hall file's guides hold."""
    return int(conn.execute(select(VERSION), {"hall": hall_of(conn)}).scalar() or 0)
