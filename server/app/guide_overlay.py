"""The guides in force: the hall file's, with each item's latest revision and uploaded sample forms
laid over them (article 7). `server.app.allocated` keeps one of these per process, keyed by the
guides' `version` (a counter every guide write bumps), so an admin's save is what the next
transaction of every process reads, without a restart; search entries (pinyin) are computed
once per version, on the first search.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from server.core import guides as core
from server.core.hall import Hall
from server.db import guides_repo
from server.db.handles import Connection


class GuidesInForce:
    """One version of the guides: `hall` is the hall file's with every revision applied; `uploads`
    the latest uploaded sample form of each (item, material), without its bytes."""

    __slots__ = ("version", "hall", "uploads", "_entries")

    def __init__(self, version: int, hall: Hall, uploads: dict[tuple[str, str], dict[str, Any]]) -> None:
        self.version, self.hall, self.uploads = version, hall, uploads
        self._entries: list[core.SearchEntry] | None = None

    def entries(self) -> list[core.SearchEntry]:
        if self._entries is None:
            from .guide_index import entries  # the pinyin tables load on the first search only

            self._entries = entries(self.hall)
        return self._entries


def load(base: Hall, conn: Connection, version: int) -> GuidesInForce:
    if version == 0:
        return GuidesInForce(version, base, {})
    tz = ZoneInfo(base.timezone)
    revised = {
        r["item"]: core.from_json(r["guide"], revision=int(r["revision"]),
                                  revised_on=r["created_at"].astimezone(tz).date(), note=r["note"])
        for r in guides_repo.latest(conn)
    }
    uploads = {(f["item"], f["material"]): f for f in guides_repo.uploaded_forms(conn)}
    return GuidesInForce(version, core.with_guides(base, revised), uploads)
