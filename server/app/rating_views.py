"""What ratings look like to each reader: the visitor who rated, the managers and chief who see
the level, the provincial rating system, and the rating pad's snapshot.

Who rated is never part of any of them: a rating names the service rated, not the rater.
"""

from __future__ import annotations

from typing import Any

from server.core import rating
from server.core.hall import Hall

from .views import iso


def form_config(hall: Hall) -> dict[str, Any]:
    """What a rating form shows: the five levels and the hall's reason tags (public, like the catalog)."""
    s = hall.ratings
    return {"levels": rating.levels_view(), "tags": rating.tags_view(s), "prompt": s.prompt,
            "prompt_en": s.prompt_en, "timeout_s": s.pad_timeout_s}


def rating_snapshot(hall: Hall, key: str) -> dict[str, Any]:
    """The subscribe snapshot of `rater:WINDOW` (the pad's window and form) or `ratings`."""
    if not key:
        return {"levels": rating.levels_view()}
    w = hall.window(key)
    names = {"window_name": w.name, "window_name_en": w.name_en} if w else {}
    return {"window": key, **names, **form_config(hall)}


def rating_view(hall: Hall, row: dict[str, Any]) -> dict[str, Any]:
    """The rating as its rater sees it in the answer to their post."""
    zh, en = rating.level_words(row["level"])
    return {
        "id": row["id"], "ticket": row["ticket_id"], "case": row["case_number"], "level": row["level"],
        "level_name": zh, "level_name_en": en, "tags": list(row["tags"]), "comment": row["comment"],
        "channel": row["channel"], "at": iso(hall, row["at"]),
    }


def full_view(hall: Hall, row: dict[str, Any], staff: dict[str, Any] | None,
              ticket_number: str | None = None) -> dict[str, Any]:
    """The rating as managers and the department's chief see it (`rating.created`), and as the
    provincial rating system receives it: the service rated, its staff and the tags' names.
    The ticket by its number (A007), never its id: the id is the unguessable link to the
    visitor's status page /t/ID, which is for the visitor alone."""
    names = {t.code: {"code": t.code, "name": t.name, "name_en": t.name_en} for t in hall.ratings.tags}
    item = hall.item(row["item"]) if row["item"] else None
    w = hall.window(row["window"]) if row["window"] else None
    own = {k: v for k, v in rating_view(hall, row).items() if k != "ticket"}
    return {
        **own,
        "ticket_number": ticket_number,
        "poor": row["level"] in rating.POOR,
        "day": row["day"].isoformat(),
        "department": row["department"], "item": row["item"], "queue": row["queue"], "window": row["window"],
        "item_name": item.name if item else None, "item_name_en": item.name_en if item else None,
        "window_name": w.name if w else None,
        "staff": staff,
        "tag_names": [names.get(code, {"code": code, "name": code, "name_en": code}) for code in row["tags"]],
    }
