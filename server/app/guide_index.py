"""The search entries of the guides in force: each item's name, keywords and department in pinyin,
full ("gongsizhuce") and by initials ("gszc"), with pypinyin. Built once per guide version
(server.app.guide_overlay); the matching itself is pure (server.core.guides)."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

from server.core.guides import SearchEntry, searchable_text
from server.core.hall import Hall


def _letters(syllables: list[str]) -> str:
    return "".join(ch for s in syllables for ch in s if ch.isascii() and ch.isalnum()).lower()


def _kept(text: str) -> str:
    return text  # letters and digits among the Chinese stay as they are


def initials(text: str) -> str:
    """"公司注册" -> "gszc"; letters and digits in the text stay as they are."""
    return _letters(lazy_pinyin(text, style=Style.FIRST_LETTER, errors=_kept))


def spelled(text: str) -> str:
    """"公司注册" -> "gongsizhuce"."""
    return _letters(lazy_pinyin(text, errors=_kept))


def syllables(text: str) -> tuple[str, ...]:
    """"公司注册" -> ("gong", "si", "zhu", "ce"); letters and digits kept, lower-cased."""
    out = (_letters([s]) for s in lazy_pinyin(text, errors=_kept))
    return tuple(s for s in out if s)


def entries(hall: Hall) -> list[SearchEntry]:
    out = []
    for item in hall.items:
        dept = hall.department(item.department)
        names = [item.name, *item.guide.keywords, *([dept.name] if dept else [])]
        out.append(SearchEntry(
            code=item.code,
            names=tuple(n.lower() for n in names),
            initials=tuple(initials(n) for n in names),
            spelled=tuple(spelled(n) for n in names),
            english=" ".join([item.name_en, dept.name_en if dept else ""]).lower(),
            text=searchable_text(item.guide),
            syllables=tuple(syllables(n) for n in names),
        ))
    return out
