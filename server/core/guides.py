"""The service guide (办事指南, article 7) as data, and the public catalogue's search (article 20).

A guide is stored per revision as JSON (`to_json` / `from_json`); the hall in force is the hall
file's with every item's latest revision laid over it (`with_guides`). Search is pure: the
pinyin of each item's words is computed once per revision by the caller (server.app.guide_index,
which holds the pinyin library) and handed here as `SearchEntry` values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from .errors import DomainError
from .hall import Guide, Hall, Material

MATERIAL_KEYS = ("code", "name", "name_en", "copies", "note", "sample", "mistakes")
# What an edit may set (revised_on and revision come from the revision itself).
GUIDE_KEYS = ("legal_basis", "conditions", "accepting_unit", "process", "fee", "fee_basis",
              "time_limit_days", "contact", "common_mistakes", "keywords", "revision_note")


class StaleRevision(DomainError):
    """The guide was revised meanwhile: revision {current} is in force, the edit started from
    {base}. Reload it and make the change again."""

    kind = "conflict"
    code = "stale_revision"
    zh = "办事指南已被他人修订，请重新加载后再修改"


def to_json(guide: Guide) -> dict[str, Any]:
    """The guide as a revision stores it (and as the edit page starts from)."""
    return {
        "legal_basis": guide.legal_basis,
        "conditions": guide.conditions,
        "accepting_unit": guide.accepting_unit,
        "process": guide.process,
        "materials": [{k: getattr(m, k) for k in MATERIAL_KEYS} for m in guide.materials],
        "common_mistakes": guide.common_mistakes,
        "fee": guide.fee,
        "fee_basis": guide.fee_basis,
        "time_limit_days": guide.time_limit_days,
        "contact": guide.contact,
        "keywords": list(guide.keywords),
    }


def from_json(raw: Mapping[str, Any], *, revision: int, revised_on: date | None, note: str) -> Guide:
    """A stored revision's guide (already checked when it was written)."""
    return Guide(
        legal_basis=str(raw.get("legal_basis", "")),
        conditions=str(raw.get("conditions", "")),
        materials=tuple(Material(**{k: str(m.get(k, "")) for k in MATERIAL_KEYS}) for m in raw.get("materials", [])),
        fee=str(raw.get("fee", "")),
        time_limit_days=int(raw.get("time_limit_days", 0)),
        contact=str(raw.get("contact", "")),
        process=str(raw.get("process", "")),
        common_mistakes=str(raw.get("common_mistakes", "")),
        accepting_unit=str(raw.get("accepting_unit", "")),
        fee_basis=str(raw.get("fee_basis", "")),
        keywords=tuple(str(k) for k in raw.get("keywords", [])),
        revised_on=revised_on,
        revision_note=note,
        revision=revision,
    )


def with_guides(hall: Hall, guides: Mapping[str, Guide]) -> Hall:
    """The hall with each named item's guide replaced (items the hall no longer has are ignored).
    A revision keeps the hall file's sample file for a material it does not name one for."""
    if not guides:
        return hall
    items = []
    for item in hall.items:
        g = guides.get(item.code)
        if g is not None:
            g = replace(g, materials=tuple(_keep_sample(m, item.material(m.code)) for m in g.materials))
            item = replace(item, guide=g)
        items.append(item)
    return replace(hall, items=tuple(items))


def _keep_sample(m: Material, before: Material | None) -> Material:
    if m.sample or before is None or not before.sample:
        return m
    return replace(m, sample=before.sample)


# --- search ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchEntry:
    """One item's words, ready to match: its name, keywords and department (with their pinyin,
    full, initials and by syllable) and the rest of its guide's text (Chinese only)."""

    code: str
    names: tuple[str, ...]  # the item's name, keywords, department name: lower-cased
    initials: tuple[str, ...]  # "gszc" for 公司注册, one per name
    spelled: tuple[str, ...]  # "gongsizhuce", one per name
    english: str
    text: str  # every other field of the guide, for words found in the body
    # ("gong", "si", "zhu", "ce") for 公司注册, one per name: for initials and full pinyin mixed.
    syllables: tuple[tuple[str, ...], ...] = ()


_ASCII = re.compile(r"^[a-z0-9 ]+$")
_SPACES = re.compile(r"\s+")


def terms(query: str) -> list[str]:
    """The query's words (split on any space, full-width too): an item must match every one."""
    return [t for t in _SPACES.split(query.strip().lower()) if t]


def score(entry: SearchEntry, query: str) -> int:
    """How well an item answers the query: 0 none; higher is better. Every term must match."""
    words = terms(query)
    if not words:
        return 1
    total = 0
    for w in words:
        s = _term_score(entry, w)
        if not s:
            return 0
        total += s
    return total


def _term_score(e: SearchEntry, w: str) -> int:
    if e.code.lower() == w:
        return 100
    if any(w in n for n in e.names):
        return 50
    if _ASCII.match(w):
        if any(i.startswith(w) for i in e.initials):
            return 40
        if len(w) < 2:
            return 0  # one letter inside initials, pinyin or English matches nearly every item
        if any(w in i for i in e.initials) or any(w in s for s in e.spelled):
            return 30
        if any(mixed_pinyin(syls, w) for syls in e.syllables):
            return 25
        if w in e.english:
            return 20
    if w in e.text:
        return 10
    return 0


def mixed_pinyin(syllables: tuple[str, ...], w: str) -> bool:
    """Whether `w` spells a run of the syllables, each by its initial or more of it ("gszhuce",
    "gongsz" for 公司注册): what people type when they know some syllables and abbreviate others."""
    n = len(syllables)

    def run(i: int, j: int) -> bool:
        if j == len(w):
            return True
        if i == n:
            return False
        s = syllables[i]
        return any(w.startswith(s[:k], j) and run(i + 1, j + k) for k in range(min(len(s), len(w) - j), 0, -1))

    return any(run(start, 0) for start in range(n) if syllables[start][:1] == w[:1])


def search(entries: Iterable[SearchEntry], query: str) -> list[str]:
    """The codes of the items that match, best first (ties keep the catalogue's order)."""
    scored = [(score(e, query), n, e.code) for n, e in enumerate(entries)]
    return [code for s, _, code in sorted((x for x in scored if x[0]), key=lambda x: (-x[0], x[1]))]


def searchable_text(guide: Guide) -> str:
    parts = [guide.legal_basis, guide.conditions, guide.accepting_unit, guide.process, guide.common_mistakes,
             guide.fee, guide.fee_basis, guide.contact]
    for m in guide.materials:
        parts += [m.name, m.note, m.mistakes]
    return " ".join(p for p in parts if p).lower()
