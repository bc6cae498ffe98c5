"""The hall file's `[case_clock]` (articles 14 and 16) and `[[item_warning_tiers]]`.

    [case_clock]
    receipt_days = 5          # a received case (收件) is answered within 5 working days
    max_extensions = 1        # lawful extensions (延长) of one case
    max_extension_days = 10   # working days one extension may add (art. 42: 延长十日)

    [[item_warning_tiers]]    # an item warned by its own tiers instead of [[warning_tiers]]
    item = "SCJG-003"
    tiers = [{name = "yellow", share_left = 0.5}, {name = "red", share_left = 0}]

Without the sections: 5 working days, one extension of up to 30 working days, the hall's tiers.
Tiers of an item follow the rules of [[warning_tiers]]: earliest warning first, each share below
the one before, the last at 0 (overdue); its item must be one of the [[items]].
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from server.core import hall as core

from .fields import Code, Model


class CaseClockIn(Model):
    receipt_days: int = Field(core.CaseClockRules.receipt_days, ge=1, le=30)
    max_extensions: int = Field(core.CaseClockRules.max_extensions, ge=0, le=5)
    max_extension_days: int = Field(core.CaseClockRules.max_extension_days, ge=1, le=365)

    def to_core(self) -> core.CaseClockRules:
        return core.CaseClockRules(self.receipt_days, self.max_extensions, self.max_extension_days)


class ItemTierIn(Model):
    name: Code
    share_left: float = Field(ge=0, lt=1)


class ItemTiersIn(Model):
    item: Code
    tiers: Annotated[list[ItemTierIn], Field(min_length=1, max_length=6)]

    @model_validator(mode="after")
    def _ordered(self) -> ItemTiersIn:
        shares = [t.share_left for t in self.tiers]
        if any(b >= a for a, b in zip(shares, shares[1:], strict=False)):
            raise ValueError("list tiers from the earliest warning to the latest, each share_left below the last")
        if shares[-1] != 0:
            raise ValueError("the last tier must have share_left = 0, so that an overdue case is always flagged")
        return self

    def to_core(self) -> core.ItemTiers:
        return core.ItemTiers(self.item, tuple(core.WarningTier(t.name, t.share_left) for t in self.tiers))


def unknown_items(entries: list[ItemTiersIn], items: set[str]) -> list[str]:
    """Problems of entries naming an item the hall does not list, or an item twice."""
    problems, seen = [], set()
    for i, e in enumerate(entries):
        if e.item not in items:
            problems.append(f'item_warning_tiers[{i}]: unknown item "{e.item}"')
        if e.item in seen:
            problems.append(f'item_warning_tiers[{i}]: item "{e.item}" is listed twice')
        seen.add(e.item)
    return problems
