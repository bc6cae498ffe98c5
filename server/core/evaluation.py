"""The monthly evaluation of every window and member of staff (article 27): one score out of 100
from the month's statistics, with weights from the hall config's [evaluation].

The formula, in one place (`TERMS`, `formula_zh`, `formula_en`), is printed on the report:

    得分 = 40×满意率 + 30×按时办结率 + 20×(1−过号率) + 10×(1−暂停占比)

with the configured weights (they sum to 100), each rate a share between 0 and 1:

- 满意率 satisfaction rate: ratings 非常满意 and 满意 (levels 5 and 4) over all ratings, as the
  statistics count it (server/db/stats_sql.py), so the report and the statistics page agree;
- 按时办结率 on-time case rate: cases decided and delivered within their promise over the cases
  whose on-time status is known (decided, delivered, or past their promise);
- 过号率 no-show rate: no-shows over the tickets called and either served or not shown;
- 暂停占比 pause share: time paused over the time signed in at a window.

Missing data is not made up. A term whose share has nothing to be a share of (no ratings, no
case with a known outcome, nobody called, never signed in) is "无数据 / no data": it is left out
and the score is the other terms' sum scaled to their weights, i.e. Σ wᵢ·vᵢ ÷ Σ wᵢ × 100 over the
terms with data. So a window nobody rated is judged on the rest, neither rewarded with a perfect
satisfaction nor punished with zero; the report shows which terms counted. With no term at all
there is no score and no rank.

Ranks: by score, highest first; equal scores share a rank (1, 1, 3); no score, no rank.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .errors import Invalid

# The levels a satisfaction rate counts (5 非常满意, 4 满意), as the statistics do.
SATISFIED_LEVELS = (4, 5)


@dataclass(frozen=True)
class Weights:
    """Points of each term; they sum to 100 (the config checks it)."""

    satisfaction: float = 40
    on_time: float = 30
    no_show: float = 20
    pause: float = 10

    def __post_init__(self) -> None:
        values = (self.satisfaction, self.on_time, self.no_show, self.pause)
        if any(v < 0 for v in values):
            raise Invalid("evaluation weights must not be negative", zh="考核权重不能为负")
        if abs(sum(values) - 100) > 1e-9:
            raise Invalid(f"evaluation weights must sum to 100, not {sum(values):g}", zh="考核权重之和须为100")


@dataclass(frozen=True)
class Term:
    key: str  # the weight's name and the term's in the answer
    zh: str
    en: str
    inverted: bool  # counts 1 − the rate (a share that should be small)


TERMS: tuple[Term, ...] = (
    Term("satisfaction", "满意率", "satisfaction rate", False),
    Term("on_time", "按时办结率", "on-time case rate", False),
    Term("no_show", "过号率", "no-show rate", True),
    Term("pause", "暂停占比", "pause share", True),
)


@dataclass(frozen=True)
class Figures:
    """A window's or a staff member's month, as the statistics count it."""

    key: str
    name: str
    ratings: Mapping[int, int] = field(default_factory=dict)  # level 1-5 → count
    cases_known: int = 0  # cases whose on-time status is known
    cases_on_time: int = 0
    served: int = 0
    no_show: int = 0
    paused_s: float = 0.0
    signed_in_s: float = 0.0


@dataclass(frozen=True)
class Scored:
    figures: Figures
    rates: dict[str, float | None]  # each term's rate as measured (None: no data)
    points: dict[str, float | None]  # each term's points: weight × rate (or × (1 − rate))
    score: float | None
    rank: int | None = None


def _share(part: float, whole: float) -> float | None:
    if whole <= 0:
        return None
    return min(1.0, max(0.0, part / whole))


def rates_of(f: Figures) -> dict[str, float | None]:
    rated = sum(f.ratings.values())
    satisfied = sum(n for level, n in f.ratings.items() if level in SATISFIED_LEVELS)
    return {
        "satisfaction": _share(satisfied, rated),
        "on_time": _share(f.cases_on_time, f.cases_known),
        "no_show": _share(f.no_show, f.served + f.no_show),
        "pause": _share(f.paused_s, f.signed_in_s),
    }


def score_rates(rates: Mapping[str, float | None], weights: Weights) -> tuple[dict[str, float | None], float | None]:
    """Each term's points and the score out of 100 (None when no term has data)."""
    points: dict[str, float | None] = {}
    counted = 0.0
    for t in TERMS:
        rate = rates.get(t.key)
        w = float(getattr(weights, t.key))
        if rate is None:
            points[t.key] = None
            continue
        points[t.key] = w * ((1.0 - rate) if t.inverted else rate)
        counted += w
    if counted <= 0:
        return points, None
    total = sum(p for p in points.values() if p is not None)
    return points, min(100.0, max(0.0, total / counted * 100.0))


def score(f: Figures, weights: Weights) -> Scored:
    rates = rates_of(f)
    points, value = score_rates(rates, weights)
    return Scored(f, rates, points, value)


def ranked(rows: Sequence[Figures], weights: Weights) -> list[Scored]:
    """Every row scored, best first; rows without a score last, by key."""
    scored = [score(f, weights) for f in rows]
    # Rounded before ranking, as printed: two scores that print the same share a rank.
    with_score = sorted((s for s in scored if s.score is not None),
                        key=lambda s: (-round(s.score or 0, 2), s.figures.key))
    without = sorted((s for s in scored if s.score is None), key=lambda s: s.figures.key)
    out: list[Scored] = []
    for i, s in enumerate(with_score):
        prev = out[-1] if out else None
        same = prev is not None and round(prev.score or 0, 2) == round(s.score or 0, 2)
        rank = prev.rank if same and prev is not None else i + 1
        out.append(Scored(s.figures, s.rates, s.points, s.score, rank))
    return out + without


def _num(value: float) -> str:
    return f"{value:g}"


def formula_zh(weights: Weights) -> str:
    parts = [f"{_num(getattr(weights, t.key))}×" + (f"(1−{t.zh})" if t.inverted else t.zh) for t in TERMS]
    return "得分 = " + " + ".join(parts)


def formula_en(weights: Weights) -> str:
    parts = [f"{_num(getattr(weights, t.key))}×" + (f"(1−{t.en})" if t.inverted else t.en) for t in TERMS]
    return "Score = " + " + ".join(parts)


MISSING_ZH = ("某项无数据（无评价、无已知时限的办件、无叫号或未签到）时不计该项，"
              "得分 = 其余各项得分之和 ÷ 其余各项权重之和 × 100；各项均无数据则不评分、不排名。")
MISSING_EN = ("A term without data (no rating, no case with a known outcome, nobody called, never signed in) is "
              "left out: the score is the other terms' points over their weights × 100; with no term at all, no "
              "score and no rank.")
DEFINITIONS_ZH = ("满意率 = (非常满意+满意) ÷ 评价数；按时办结率 = 按时办结件数 ÷ 已知时限结果件数；"
                  "过号率 = 过号数 ÷ (办理数+过号数)；暂停占比 = 暂停时长 ÷ 签到时长。")
DEFINITIONS_EN = ("satisfaction rate = ratings at levels 5 and 4 ÷ all ratings; on-time case rate = cases on time "
                  "÷ cases with a known outcome; no-show rate = no-shows ÷ (served + no-shows); pause share = time "
                  "paused ÷ time signed in.")
