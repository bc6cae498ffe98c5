"""The OpenAPI document describes every API route the server has, and only those."""

from __future__ import annotations

import re


def shape(path: str) -> str:
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


def test_every_api_route_is_described(hq, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    described = {(shape(p), m.upper()) for p, ops in doc["paths"].items() if p.startswith("/api/v1/") for m in ops}
    served = {
        (shape(rule.rule), method)
        for rule in hq.app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served - described == set(), "routes missing from OpenAPI"
    assert described - served == set(), "OpenAPI describes routes the server does not have"


def test_every_schema_reference_resolves(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', str(doc).replace("'", '"')))
    assert refs <= set(doc["components"]["schemas"])
