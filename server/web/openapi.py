"""The OpenAPI 3.1 description served at /api/v1/openapi.json, built from one table.

`ROUTES` holds one row per API route, keyed by its Flask rule: path parameters come from the rule
itself, request schemas from the pydantic models that validate the bodies (bodies.py), and each
row names every status its handler can answer. The errors the transport adds on its own are added
here for every row alike: 400 and 413 where a body is read, 401 where a credential is needed, 404
where the path names something. tests/api/test_openapi.py checks the table against the server's
routes, and every status and body the API tests see against the document.

The rows live by area: openapi_routes.py (the catalog, tickets, sign-in, windows, cases),
openapi_allocation.py (the manager's allocation), openapi_admin.py, openapi_monitor.py (the
manager's board); the schemas they share in openapi_schemas.py, the row type in openapi_route.py.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .openapi_admin import ADMIN_ROUTES
from .openapi_allocation import ALLOCATION_ROUTES
from .openapi_appointments import APPOINTMENT_ROUTES
from .openapi_case_clock import CASE_CLOCK_ROUTES
from .openapi_checkin import CHECKIN_ROUTES
from .openapi_city import CITY_ROUTES
from .openapi_documents import DOCUMENT_ROUTES
from .openapi_followups import FOLLOWUP_ROUTES
from .openapi_guides import GUIDE_ROUTES
from .openapi_manage_appointments import MANAGE_APPOINTMENT_ROUTES
from .openapi_monitor import MONITOR_ROUTES
from .openapi_progress import PROGRESS_ROUTES
from .openapi_ratings import RATING_ROUTES
from .openapi_reports import REPORT_ROUTES
from .openapi_route import BEARER, DEVICE, Route
from .openapi_routes import CORE_ROUTES
from .openapi_schemas import SCHEMAS, STR, error, ref
from .openapi_stats import STATS_ROUTES

ROUTES: tuple[Route, ...] = (
    *CORE_ROUTES, *ALLOCATION_ROUTES, *ADMIN_ROUTES, *MONITOR_ROUTES, *RATING_ROUTES, *FOLLOWUP_ROUTES,
    *STATS_ROUTES, *REPORT_ROUTES, *PROGRESS_ROUTES, *DOCUMENT_ROUTES, *GUIDE_ROUTES, *CASE_CLOCK_ROUTES,
    *APPOINTMENT_ROUTES, *MANAGE_APPOINTMENT_ROUTES, *CHECKIN_ROUTES, *CITY_ROUTES,
)

# Path parameters by the name the Flask rules give them, with the name protocol v1 gives them.
# Ids never hold a slash (the route would not match) and are never a dot segment (clients fold
# those away before sending).
NO_SLASH = r"^(?!\.\.?$)[^/]+$"
PARAM_NAMES = {"window_id": "window", "ticket_id": "id", "appointment_code": "code"}
PATH_PARAMS: dict[str, dict[str, Any]] = {
    "window_id": {"description": "a window's id in the hall config", "schema": {**STR, "pattern": NO_SLASH},
                  "example": "1"},
    "ticket_id": {"description": "a ticket's unguessable id", "schema": {**STR, "pattern": NO_SLASH},
                  "example": "xgmJUqegKqfsK-wWpswcmw"},
    "number": {"description": "a case number, HALL-DEPT-YEAR-SEQUENCE", "schema": {**STR, "pattern": NO_SLASH},
               "example": "CITY-SCJG-2026-000042"},
    "token": {"description": "the progress page's unguessable token", "schema": {**STR, "pattern": NO_SLASH}},
    "code": {"description": "a service item's code in the hall config", "schema": {**STR, "pattern": NO_SLASH}},
    "material": {"description": "a material's code in the item's guide", "schema": {**STR, "pattern": NO_SLASH},
                 "example": "APP_FORM"},
    "username": {"description": "a staff account's username", "schema": {**STR, "pattern": NO_SLASH},
                 "example": "wang.li"},
    "device_name": {"description": "a device's name", "schema": {**STR, "pattern": NO_SLASH},
                    "example": "kiosk-1"},
    "extension_id": {"description": "an extension request's id", "schema": {**STR, "pattern": NO_SLASH},
                     "example": "3"},
    "doc_id": {"description": "a document's id in the registry", "schema": {**STR, "pattern": r"^[0-9]{1,9}$"},
               "example": "7"},
    "verify_code": {"description": "a printed verification code; case, dashes and spaces do not matter",
                    "schema": {**STR, "pattern": NO_SLASH}, "example": "7N3R-33NV-QN0X-E4MG"},
    "appointment_code": {"description": "a booking's code (10 symbols; case, dashes and spaces do not matter, "
                                        "I and L read as 1, O as 0)",
                         "schema": {**STR, "pattern": NO_SLASH}, "example": "7N3R3-QNV0X"},
    "rating_id": {"description": "a poor rating's id (its follow-up's)", "schema": {**STR, "pattern": NO_SLASH},
                  "example": "42"},
}


def openapi_path(rule: str) -> str:
    """/api/v1/windows/<window_id>/open → /api/v1/windows/{window}/open"""
    for name in path_params(rule):
        rule = rule.replace(f"<{name}>", "{" + PARAM_NAMES.get(name, name) + "}")
    return rule


def path_params(rule: str) -> list[str]:
    return [part[1:-1] for part in rule.split("/") if part.startswith("<") and part.endswith(">")]


ERROR_TEXT = {
    400: "the body or query is not valid: malformed JSON, a missing or unknown field, a value the hall refuses",
    401: "no credential, or an unknown, expired or revoked one; at sign-in: a wrong username or password",
    403: "the caller may not do this",
    404: "no such window, ticket, case, queue, item, user or follow-up",
    409: "the current state does not allow it",
    413: "the body is larger than 1 MB",
    429: "too many requests from this client address",
}


def operation(route: Route) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": route.summary, "operationId": _operation_id(route)}
    params = [{"name": PARAM_NAMES.get(name, name), "in": "path", "required": True, **PATH_PARAMS[name]}
              for name in path_params(route.rule)]
    params += list(route.query)
    if params:
        op["parameters"] = params
    op["security"] = [{scheme: [] for scheme in schemes} for schemes in route.auth] if route.auth else []
    if route.body is not None:
        op["requestBody"] = {
            "required": route.body_required,
            "content": {"application/json": {"schema": ref(route.body.__name__)}},
        }
    responses: dict[str, Any] = {}
    if route.html:
        page = {"content": {"text/html": {"schema": STR}}}
        responses["200"] = {"description": "the HTML page", **page}
        # An address no token can have (a NUL in it) is refused before the page: the JSON error.
        responses["404"] = {"description": "the HTML page saying there is no such case; the JSON error for an "
                            "address that cannot hold a token",
                            "content": {**page["content"], **error("")["content"]}}
    else:
        success: dict[str, Any] = {"description": "done"}
        if route.ok is not None:
            success["content"] = {"application/json": {"schema": route.ok}}
        responses[str(route.status)] = success
    for status, answer in route.more.items():
        responses[str(status)] = answer
    errors = set(route.errors)
    if route.body is not None:
        errors |= {400, 413}
    if route.auth:
        errors.add(401)
    if path_params(route.rule):
        errors.add(404)
    for status in sorted(errors):
        responses.setdefault(str(status), error(ERROR_TEXT[status]))
    op["responses"] = dict(sorted(responses.items()))
    return op


def _operation_id(route: Route) -> str:
    words = [p.strip("<>") for p in route.rule.removeprefix("/api/v1/").split("/") if p]
    return route.method + "_" + "_".join(w.replace("-", "_").replace(".", "_") for w in words)


def _body_schemas() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for model in {r.body for r in ROUTES if r.body is not None}:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        out.update(schema.pop("$defs", {}))
        out[model.__name__] = schema
    return dict(sorted(out.items()))


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(openapi_path(route.rule), {})[route.method] = operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "HallQ",
            "version": "1",
            "description": "Queue and counter system of a government service center. Socket.IO events are "
            "described in docs/api.md. Every error is JSON: {\"error\": {\"code\", \"message\"}}. A server "
            "serving several halls (`hallq serve --all-halls`) answers another hall's API under /h/{hall}/api/v1/... "
            "or with ?hall={hall}; without either, a device key's or a token's own hall, else its home hall. A "
            "hall it does not serve is 404 `unknown_hall`.",
        },
        "paths": paths,
        "components": {
            "schemas": {**SCHEMAS, **_body_schemas()},
            "securitySchemes": {
                BEARER: {"type": "http", "scheme": "bearer", "description": "a token from /api/v1/auth/login"},
                DEVICE: {"type": "apiKey", "in": "header", "name": "X-Device-Key",
                         "description": "a device's key from `hallq device add` (kiosk, display, platform, rater)"},
            },
        },
    }
