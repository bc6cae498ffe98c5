"""The hall file's `[ratings]` (好差评): the reason tags a poor rating may give, how long the rating
pad waits for a touch before it goes back to idle, and what it says to the visitor.

    [ratings]
    pad_timeout_s = 60
    prompt = "请您对本次服务作出评价"
    prompt_en = "Please rate the service you received"

    [[ratings.tags]]
    code = "attitude"
    name = "服务态度"
    name_en = "Staff attitude"

Without the section the demo's five tags (server.core.rating.DEFAULT_TAGS) and 60 s apply.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from server.core import rating as core

from .fields import Code, Model, Text


class RatingTagIn(Model):
    code: Code
    name: Text
    name_en: Text

    def to_core(self) -> core.RatingTag:
        return core.RatingTag(self.code, self.name, self.name_en)


def _default_tags() -> list[RatingTagIn]:
    return [RatingTagIn(code=t.code, name=t.name, name_en=t.name_en) for t in core.DEFAULT_TAGS]


class RatingsIn(Model):
    """Tags: at most 12, each code once (a pad shows them all as buttons)."""

    tags: Annotated[list[RatingTagIn], Field(max_length=12)] = Field(default_factory=_default_tags)
    # Seconds without a touch after which the pad drops an unfinished rating and shows idle again.
    pad_timeout_s: int = Field(core.RatingSettings.pad_timeout_s, ge=10, le=600)
    prompt: Text = core.RatingSettings.prompt
    prompt_en: Text = core.RatingSettings.prompt_en

    @model_validator(mode="after")
    def _unique(self) -> RatingsIn:
        seen: set[str] = set()
        for t in self.tags:
            if t.code in seen:
                raise ValueError(f'tag code "{t.code}" is listed twice')
            seen.add(t.code)
        return self

    def to_core(self) -> core.RatingSettings:
        return core.RatingSettings(tuple(t.to_core() for t in self.tags), self.pad_timeout_s, self.prompt,
                                   self.prompt_en)
