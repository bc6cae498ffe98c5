"""One row of the OpenAPI route tables, and the credentials a row may ask for.

The tables (openapi_routes.py, openapi_allocation.py, openapi_admin.py, openapi_monitor.py) are
lists of `Route`; openapi.py turns each into an operation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

# The security schemes' names, as openapi.py declares them under components/securitySchemes.
BEARER = "bearer"
DEVICE = "deviceKey"

STAFF = ((BEARER,),)
KIOSK = ((DEVICE,),)
STAFF_OR_PLATFORM = ((BEARER,), (DEVICE,))

# The window routes' prefix, shared by the staff's window actions and the manager's allocation.
W = "/api/v1/windows/<window_id>"


@dataclass(frozen=True)
class Route:
    """One API route: what it takes and every status it answers."""

    method: str
    rule: str
    summary: str
    ok: dict[str, Any] | None = None  # the success body (JSON); None: no body
    status: int = 200
    errors: tuple[int, ...] = ()  # beyond those the transport adds (see openapi.py's doc)
    auth: tuple[tuple[str, ...], ...] = ()  # alternatives, each a set of schemes sent together
    body: type[BaseModel] | None = None
    body_required: bool = True
    query: tuple[dict[str, Any], ...] = ()
    more: dict[int, dict[str, Any]] = field(default_factory=dict)  # other answers, as OpenAPI responses
    html: bool = False
