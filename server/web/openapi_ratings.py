"""OpenAPI rows of the rating routes (api_ratings.py), part of `openapi.ROUTES`."""

from __future__ import annotations

from .bodies_ratings import Rate
from .openapi_route import DEVICE, Route
from .openapi_schemas import INT, STR, STR_OR_NULL, STRINGS, TIME, obj

RATING = obj({
    "id": INT,
    "ticket": {**STR_OR_NULL, "description": "the ticket rated (null for a case)"},
    "case": {**STR_OR_NULL, "description": "the case rated (一事一评; null for a ticket)"},
    "level": {**INT, "minimum": 1, "maximum": 5},
    "level_name": {**STR, "example": "满意"}, "level_name_en": STR,
    "tags": STRINGS, "comment": STR,
    "channel": {"enum": ["pad", "phone", "case"]},
    "at": TIME,
})
RATING_OK = obj({"rating": RATING})
# 409 not_finished (the service or case is not over) or already_rated (one rating each).
CONFLICT = (409,)

RATING_ROUTES: tuple[Route, ...] = (
    Route("post", "/api/v1/tickets/<ticket_id>/rating", "rate the service of a ticket (好差评, 一次一评): anyone "
          "holding its id (channel phone), or with X-Device-Key the rating pad of the window that served it "
          "(channel pad; 403 for another window's pad). 409 not_finished before the service is done, "
          "already_rated the second time", ok=RATING_OK, status=201, errors=(403, *CONFLICT),
          auth=((), (DEVICE,)), body=Rate),
    Route("post", "/api/v1/case/<token>/rating", "rate a case by its progress page's token (一事一评), once it "
          "is delivered or concluded; 409 not_finished before, already_rated the second time",
          ok=RATING_OK, status=201, errors=CONFLICT, body=Rate),
)
