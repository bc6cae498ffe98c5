"""Every answer the API tests get is one the OpenAPI document declares: its status for that route
and method, and a body that fits the schema of that status. A test whose requests got an answer
the document does not describe fails at teardown, naming the route, the status and what differs,
so the document cannot fall behind the server unnoticed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from flask import Response, request

from server.web.openapi import openapi_document, openapi_path

Seen = tuple[str, str, int, str, Any]


_validators: dict[tuple[str, str, str], Any] = {}


def _validator(doc: dict[str, Any], key: tuple[str, str, str], schema: dict[str, Any]) -> Any:
    if key not in _validators:
        # The document's components ride along so that "#/components/schemas/..." resolves.
        _validators[key] = jsonschema_rs.validator_for({**schema, "components": doc["components"]})
    return _validators[key]


def undeclared(seen: list[Seen]) -> list[str]:
    doc = openapi_document()
    problems: list[str] = []
    for method, rule, status, mimetype, body in seen:
        op = doc["paths"].get(openapi_path(rule), {}).get(method.lower())
        if op is None:
            continue  # not an API route (pages, static files): the document does not cover them
        answer = op["responses"].get(str(status))
        where = f"{method} {openapi_path(rule)} → {status}"
        if answer is None:
            problems.append(f"{where}: status not declared (declared: {', '.join(op['responses'])})")
            continue
        content = answer.get("content", {})
        if not content:
            if body not in (None, b"", ""):
                problems.append(f"{where}: declared without a body, got {mimetype}")
            continue
        if mimetype not in content:
            problems.append(f"{where}: {mimetype} not declared (declared: {', '.join(content)})")
            continue
        if mimetype == "application/json":
            check = _validator(doc, (method, rule, str(status)), content[mimetype]["schema"])
            errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in check.iter_errors(body)]
            if errors:
                problems.append(f"{where}: body does not fit its schema: {'; '.join(errors[:3])}")
    return problems


@pytest.fixture
def hq(hq) -> Iterator[Any]:
    """The app of tests/conftest.py, recording each answer to check it against the document."""
    seen: list[Seen] = []

    def record(resp: Response) -> Response:
        rule = request.url_rule.rule if request.url_rule is not None else ""
        if openapi_path(rule) in openapi_document()["paths"]:
            body = resp.get_json(silent=True) if resp.is_json else resp.get_data()
            seen.append((request.method, rule, resp.status_code, resp.mimetype, body))
        return resp

    hq.app.after_request(record)
    yield hq
    problems = sorted(set(undeclared(seen)))
    assert not problems, "answers the OpenAPI document does not declare:\n" + "\n".join(problems)


# Credentials many API tests use: the demo kiosk's key, and a hall manager.
@pytest.fixture
def kiosk(kiosk_key):
    return {"X-Device-Key": kiosk_key}


@pytest.fixture
def manager(make_staff):
    return make_staff("boss", "manager")
