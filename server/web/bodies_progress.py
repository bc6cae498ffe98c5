"""The progress query's request body (POST /api/v1/progress/lookup). Only the shape is checked
here; what a case number and a last four look like is the core's rule
(server/core/progress_lookup.py), answered with a 400 naming `number` or `last4`."""

from __future__ import annotations

from pydantic import Field

from .bodies import Body


class ProgressLookup(Body):
    number: str = Field(max_length=64, description="the case number on the slip, e.g. CITY-SCJG-2026-000123 "
                        "(any case, spaces and full-width characters allowed; leading zeros of the sequence may go)")
    last4: str = Field(max_length=16, description="the last four characters of the applicant's ID number or phone; "
                       "an ID number's may end in X")
