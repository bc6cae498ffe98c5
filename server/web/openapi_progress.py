"""OpenAPI rows of the progress query by case number (api_progress.py), part of `openapi.ROUTES`."""

from __future__ import annotations

from .bodies_progress import ProgressLookup
from .openapi_route import DEVICE, Route
from .openapi_schemas import DATE, INT_OR_NULL, STR, STR_OR_NULL, error, nullable, obj

PAIR = {"type": "array", "items": STR, "minItems": 2, "maxItems": 2, "description": "[Chinese, English]"}
NAMED = obj({"code": STR, "name": STR, "name_en": STR})
MATERIAL = obj({"code": STR, "name": STR, "name_en": STR})
PROGRESS = obj({
    "hall": obj({"name": STR, "name_en": STR}),
    "number": {**STR, "example": "CITY-SCJG-2026-000123"},
    "item": NAMED, "department": NAMED, "copied": {"type": "array", "items": NAMED},
    "applicant_name": {**STR, "description": "masked (王*明): the view holds no ID number and no phone"},
    "outcome": PAIR, "status": PAIR, "status_code": STR, "number_label": PAIR, "date_label": PAIR,
    "reason": {**STR, "description": "of a refusal, a denial or a notice, as its written document states it"},
    "rights": nullable(obj({"zh": STR, "en": STR})),
    "accepted_on": DATE, "promised": {**STR_OR_NULL, "format": "date"}, "days_left": INT_OR_NULL,
    "missing": {"type": "array", "items": MATERIAL},
    "history": {"type": "array", "items": obj({"status": PAIR, "at": STR})},
}, description="what the case's public progress page (/case/{token}) shows")

LOOKUP_OK = obj({
    "case": PROGRESS,
    "progress_url": {**STR, "format": "uri", "description": "the case's progress page (/case/{token}): bookmark it"},
})

RETRY = {"Retry-After": {"description": "seconds to wait before trying again", "schema": {"type": "integer",
                                                                                           "minimum": 1}}}

PROGRESS_ROUTES: tuple[Route, ...] = (
    Route("post", "/api/v1/progress/lookup", "article 21: find a case by its number and the last four characters of "
          "the applicant's ID number or phone (no key; a kiosk sends its X-Device-Key). An unknown number and a "
          "wrong last four answer the same 404 not_found; a malformed field 400 invalid_lookup naming it; repeated "
          "failures from one client address or on one case number 429 with Retry-After",
          ok=LOOKUP_OK, errors=(403, 404), auth=((), (DEVICE,)), body=ProgressLookup,
          more={429: {**error("too many failed queries from this client address or on this case number"),
                      "headers": RETRY}}),
)


