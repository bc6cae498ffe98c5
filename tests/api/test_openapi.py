"""The OpenAPI document describes every API route the server has, and only those; its parameters,
request schemas and answers are the ones the server applies and gives.

(tests/api/conftest.py checks, besides, every answer of every API test against the document;
tests/api/test_schemathesis.py fuzzes a running server from it.)"""

from __future__ import annotations

import re

import jsonschema_rs
import pytest

from server.app import accounts


def shape(path: str) -> str:
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


@pytest.fixture
def doc(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def request_schema(doc: dict, path: str, method: str = "post") -> jsonschema_rs.Validator:
    schema = doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return jsonschema_rs.validator_for({**schema, "components": doc["components"]})


def test_every_api_route_is_described(hq, doc):
    described = {(shape(p), m.upper()) for p, ops in doc["paths"].items() if p.startswith("/api/v1/") for m in ops}
    served = {
        (shape(rule.rule), method)
        for rule in hq.app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served - described == set(), "routes missing from OpenAPI"
    assert described - served == set(), "OpenAPI describes routes the server does not have"


def test_every_schema_reference_resolves(doc):
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', str(doc).replace("'", '"')))
    assert refs <= set(doc["components"]["schemas"])


def test_every_templated_path_declares_its_parameters(doc):
    """The issue: 20 of 29 operations named {window} or {id} without declaring it, so no client
    generator or fuzzer could call them."""
    templated = 0
    for path, ops in doc["paths"].items():
        names = set(re.findall(r"\{([^}]+)\}", path))
        for method, op in ops.items():
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == names, f"{method.upper()} {path} declares {declared or 'none'}"
            assert all(p["required"] and p["schema"]["type"] == "string"
                       for p in op.get("parameters", []) if p["in"] == "path")
            templated += bool(names)
    assert templated >= 20


@pytest.mark.parametrize(("path", "body"), [
    ("/api/v1/windows/{window}/pause", {"reason": "   "}),
    ("/api/v1/windows/{window}/pause", {"reason": ""}),
    ("/api/v1/tickets", {"item": None, "queue": None}),
    ("/api/v1/tickets", {}),
    ("/api/v1/tickets", {"item": " ", "queue": ""}),
    ("/api/v1/tickets", {"item": "SCJG-001", "queue": "A"}),
    ("/api/v1/windows/{window}/transfer", {"note": "x"}),
    ("/api/v1/windows/{window}/transfer", {"queue": None, "window": None}),
    ("/api/v1/windows/{window}/call-number", {"number": " A "}),
    ("/api/v1/windows/{window}/hand-over", {"username": "  "}),
    ("/api/v1/auth/login", {"username": " ", "password": "x"}),
    ("/api/v1/windows/{window}/finish", {"outcome": "accepted"}),
    ("/api/v1/windows/{window}/finish", {"outcome": "refused", "applicant": {"name": "王五", "id_number": "x" * 18},
                                         "reason": "  "}),
    ("/api/v1/cases/{number}/transition", {"to": "decided_denied"}),
    ("/api/v1/cases/{number}/transition", {"to": "decided_denied", "note": " "}),
    ("/api/v1/cases/{number}/transition", {"to": "decided_denied", "note": "不符合条件"}),
    ("/api/v1/cases/{number}/transition", {"to": "decided_denied", "note": "不符合条件", "legal_basis": " "}),
    ("/api/v1/windows/{window}/suspend", {"note": "x" * 501}),
])
def test_request_schemas_refuse_what_the_server_refuses(doc, path, body):
    """The issue: a whitespace-only reason, an all-null ticket request and a transfer with neither
    queue nor window fitted the schemas, which the server answers with 400."""
    assert not request_schema(doc, path).is_valid(body), f"{path} schema accepts {body}"


@pytest.mark.parametrize(("path", "body"), [
    ("/api/v1/windows/{window}/pause", {"reason": " 午休 "}),
    ("/api/v1/tickets", {"item": "SCJG-001"}),
    ("/api/v1/tickets", {"item": "SCJG-001", "queue": None}),
    ("/api/v1/tickets", {"queue": "A", "priority": "green", "green_reason": "elderly"}),
    ("/api/v1/windows/{window}/transfer", {"window": "4"}),
    ("/api/v1/windows/{window}/transfer", {"queue": "B", "note": "材料"}),
    ("/api/v1/windows/{window}/call-number", {"number": "A001"}),
    ("/api/v1/windows/{window}/finish", {"outcome": "consulted"}),
    ("/api/v1/windows/{window}/finish", {}),
    ("/api/v1/cases/{number}/transition", {"to": "decided_denied", "note": "不符合条件",
                                           "legal_basis": "《中华人民共和国公司法》第二十九条"}),
    ("/api/v1/cases/{number}/transition", {"to": "in_review"}),
])
def test_request_schemas_accept_what_the_server_accepts(doc, path, body):
    assert request_schema(doc, path).is_valid(body), f"{path} schema refuses {body}"


def test_the_server_refuses_what_the_schemas_refuse(client, svc):
    """The same bodies against the server: each is a 400 there too, so the two agree."""
    accounts.add_user(svc, "w1", "password-1", "window")
    kiosk = {"X-Device-Key": accounts.add_device(svc, "kiosk-oa", "kiosk")}
    token = client.post("/api/v1/auth/login", json={"username": "w1", "password": "password-1"}).get_json()["token"]
    staff = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/windows/1/open", headers=staff).status_code == 200
    assert client.post("/api/v1/windows/1/pause", headers=staff, json={"reason": "   "}).status_code == 400
    assert client.post("/api/v1/tickets", headers=kiosk, json={"item": None, "queue": None}).status_code == 400
    assert client.post("/api/v1/tickets", headers=kiosk, json={"item": "SCJG-001"}).status_code == 201
    assert client.post("/api/v1/windows/1/call-next", headers=staff).status_code == 200
    r = client.post("/api/v1/windows/1/transfer", headers=staff, json={"note": "?"})
    assert r.status_code == 400, r.get_json()


@pytest.mark.parametrize(("method", "path", "statuses"), [
    ("post", "/api/v1/windows/{window}/call-next", {"200", "204", "400", "401", "403", "404", "409"}),
    ("post", "/api/v1/tickets/{id}/reprint", {"200", "400", "401", "403", "404", "409", "413"}),
    ("post", "/api/v1/tickets", {"201", "400", "401", "403", "404", "409", "413", "429"}),
    ("post", "/api/v1/auth/login", {"200", "400", "401", "413", "429"}),
    ("post", "/api/v1/auth/logout", {"204", "401"}),
    ("get", "/api/v1/cases", {"200", "400", "401", "403"}),
    ("get", "/case/{token}", {"200", "404"}),
])
def test_every_answer_is_declared_with_its_schema(doc, method, path, statuses):
    responses = doc["paths"][path][method]["responses"]
    assert set(responses) == statuses
    for status, answer in responses.items():
        if status.startswith("4"):
            body = answer["content"].get("application/json", answer["content"].get("text/html"))
            assert body["schema"] in ({"$ref": "#/components/schemas/Error"}, {"type": "string"})


def test_operations_name_the_credentials_they_need(doc):
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["deviceKey"] == {**schemes["deviceKey"], "type": "apiKey", "in": "header", "name": "X-Device-Key"}
    security = {(p, m): op["security"] for p, ops in doc["paths"].items() for m, op in ops.items()}
    assert security[("/api/v1/tickets", "post")] == [{"deviceKey": []}]
    assert security[("/api/v1/windows/{window}/call-next", "post")] == [{"bearer": []}]
    assert security[("/api/v1/cases/{number}", "get")] == [{"bearer": []}, {"deviceKey": []}]
    assert security[("/api/v1/catalog", "get")] == []
    assert all("401" in op["responses"] for (_, _), op in
               ((k, doc["paths"][k[0]][k[1]]) for k, s in security.items() if s))
