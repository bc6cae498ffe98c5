"""好差评 ratings (国办发〔2019〕51号, GB/T 39734-2020): the five levels, what a rating may say, and
when a service or a case may be rated.

- Levels 5 非常满意 … 1 非常不满意; 1 and 2 are the poor ones (差评) that open a follow-up.
- Reason tags come from the hall's list (`[ratings] tags`) and go with a poor rating only: they
  say what went wrong, so a rating of 3-5 with tags is refused rather than silently stripped (a
  client that sends them has a bug worth seeing).
- A comment is optional, at most `COMMENT_MAX` characters.
- A ticket may be rated once its service finished at a window (`done`, not force-finished by a
  manager: nobody served that visitor to the end), once; a case once it is delivered or
  concluded at the window (一事一评), once.

Pure: the caller reads the ticket, the case and the rating already stored, and hands them in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .errors import DomainError, Invalid

Label = tuple[str, str]

LEVELS: Mapping[int, Label] = MappingProxyType({
    5: ("非常满意", "Very satisfied"),
    4: ("满意", "Satisfied"),
    3: ("基本满意", "Fairly satisfied"),
    2: ("不满意", "Dissatisfied"),
    1: ("非常不满意", "Very dissatisfied"),
})
POOR = frozenset({1, 2})
COMMENT_MAX = 500
# The case statuses after which a case may be rated: handed over (delivered) or decided at the
# window on the spot (concluded). server.core.cases.Status values, kept as text to stay apart.
RATABLE_CASE_STATUSES = frozenset({"delivered", "concluded"})


@dataclass(frozen=True)
class RatingTag:
    """One reason a visitor may give for a poor rating."""

    code: str
    name: str
    name_en: str


DEFAULT_TAGS: tuple[RatingTag, ...] = (
    RatingTag("attitude", "服务态度", "Staff attitude"),
    RatingTag("efficiency", "办事效率", "Speed of service"),
    RatingTag("competence", "业务水平", "Knowledge of the matter"),
    RatingTag("guide", "指南准确", "Accuracy of the guide"),
    RatingTag("facilities", "环境设施", "Hall and facilities"),
)


@dataclass(frozen=True)
class RatingSettings:
    """The hall's `[ratings]`: reason tags, how long the pad waits for a touch, its prompt."""

    tags: tuple[RatingTag, ...] = DEFAULT_TAGS
    pad_timeout_s: int = 60
    prompt: str = "请您对本次服务作出评价"
    prompt_en: str = "Please rate the service you received"

    def tag(self, code: str) -> RatingTag | None:
        return next((t for t in self.tags if t.code == code), None)


class InvalidRating(Invalid):
    """The rating is not valid."""

    code = "invalid_rating"
    zh = "评价内容有误"


class NotFinished(DomainError):
    """The service has not finished yet, so it cannot be rated."""

    kind = "conflict"
    code = "not_finished"
    zh = "服务尚未办结，暂不能评价"


class AlreadyRated(DomainError):
    """This has been rated already: one rating per service (一次一评) and per case (一事一评)."""

    kind = "conflict"
    code = "already_rated"
    zh = "已评价过，每次服务只能评价一次"


@dataclass(frozen=True)
class RatingInput:
    """A rating as validated: what the database stores of it."""

    level: int
    tags: tuple[str, ...]
    comment: str

    @property
    def poor(self) -> bool:
        return self.level in POOR


def level_words(level: int) -> Label:
    return LEVELS[level]


def validate(settings: RatingSettings, level: Any, tags: Any = (), comment: Any = "") -> RatingInput:
    """The rating a visitor sent, checked: `level` an integer 1-5, `tags` codes of the hall's list
    for a poor level only, each at most once, `comment` text of at most `COMMENT_MAX` characters."""
    if isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS:
        raise InvalidRating(f"must be a whole number from 1 (非常不满意) to 5 (非常满意), not {level!r}",
                            zh="评价等级须为 1 至 5", where="level")
    if tags is None:
        tags = ()
    if isinstance(tags, str) or not isinstance(tags, Sequence):
        raise InvalidRating("must be a list of tag codes", zh="评价标签须为列表", where="tags")
    codes: list[str] = []
    for code in tags:
        if not isinstance(code, str) or settings.tag(code) is None:
            known = ", ".join(t.code for t in settings.tags) or "none"
            raise InvalidRating(f"unknown tag {code!r}; the hall's tags are {known}",
                                zh="评价标签不在本大厅的列表中", where="tags")
        if code not in codes:
            codes.append(code)
    if codes and level not in POOR:
        raise InvalidRating("reason tags go with 不满意 (2) or 非常不满意 (1) only",
                            zh="仅“不满意”或“非常不满意”可选择原因标签", where="tags")
    if comment is None:
        comment = ""
    if not isinstance(comment, str):
        raise InvalidRating("must be text", zh="评价意见须为文字", where="comment")
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise InvalidRating(f"has {len(comment)} characters; at most {COMMENT_MAX}",
                            zh=f"评价意见不能超过{COMMENT_MAX}字", where="comment")
    return RatingInput(level, tuple(codes), comment)


def require_ticket_ratable(status: str, *, forced: bool, rated: bool) -> None:
    """A ticket (its status value) may be rated: its service finished at a window, not rated yet."""
    if status != "done" or forced:
        why = "was finished by a manager, not served to the end" if forced else f"is {status}"
        raise NotFinished(f"the service has not finished at a window (the ticket {why}); rate it after service",
                          status=status)
    if rated:
        raise AlreadyRated()


def require_case_ratable(status: str, *, rated: bool) -> None:
    """A case (its status value) may be rated once delivered or concluded (一事一评), once."""
    if status not in RATABLE_CASE_STATUSES:
        raise NotFinished(f"the case is {status}; it can be rated once it is delivered or concluded",
                          zh="办件尚未办结送达，暂不能评价", status=status)
    if rated:
        raise AlreadyRated()


def tags_view(settings: RatingSettings) -> list[dict[str, str]]:
    return [{"code": t.code, "name": t.name, "name_en": t.name_en} for t in settings.tags]


def levels_view() -> list[dict[str, Any]]:
    return [{"level": n, "name": zh, "name_en": en, "poor": n in POOR} for n, (zh, en) in LEVELS.items()]
