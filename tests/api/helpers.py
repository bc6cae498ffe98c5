"""Steps many API tests take: a kiosk takes a number."""

from __future__ import annotations

from typing import Any


def issue(client, kiosk, item: str = "SCJG-001") -> dict[str, Any]:
    r = client.post("/api/v1/tickets", headers=kiosk, json={"item": item})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["ticket"]
