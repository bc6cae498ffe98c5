"""Request bodies of the poor ratings' follow-up routes (server.web.api_followups)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool

from server.core.followup import MAX_NOTE

from .bodies import SOME_TEXT, Body

NOTE = Field(min_length=1, max_length=MAX_NOTE, json_schema_extra={
    **SOME_TEXT, "description": "what was done: kept with the step and sent to the provincial rating system"})


class FollowupStep(Body):
    step: Literal["called_back", "verified", "rectified", "explained", "answered"] = Field(
        description="the next step: called_back → verified → rectified or explained → answered")
    note: str = NOTE


class FollowupAppeal(Body):
    reason: str = Field(min_length=1, max_length=MAX_NOTE, json_schema_extra={
        **SOME_TEXT, "description": "why the rating is mistaken or malicious"})


class AppealDecision(Body):
    approve: StrictBool = Field(description="true: the rating is excluded from statistics and the follow-up "
                                "closes; false: it goes on where it stood")
    reason: str = Field(min_length=1, max_length=MAX_NOTE, json_schema_extra=SOME_TEXT)
