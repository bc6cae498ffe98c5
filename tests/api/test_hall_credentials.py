"""A credential at another hall's address (issue 16 follow-up): the protocol's unprefixed
addresses still take a device or an account to its own hall, but an address naming a hall (its
`/h/CODE/` prefix, `?hall=CODE`, which is how the pages call now) refuses another hall's key or
sign-in as a wrong one, in words that say whose it is; an account of the whole installation is
good at every hall."""

from __future__ import annotations

from server.app import accounts
from tests.api.test_halls_one_process import city, kiosk, login, svc_of, web  # noqa: F401
from tests.conftest import PASSWORD


def test_the_unprefixed_address_still_takes_a_device_to_its_own_hall(city, web):  # noqa: F811
    east = kiosk(city, "east", "east-k")
    r = web.get("/api/v1/devices/me", headers=east)
    assert r.status_code == 200 and r.get_json()["device"]["name"] == "east-k"


def test_another_halls_device_key_is_refused_saying_whose_it_is(city, web):  # noqa: F811
    east = kiosk(city, "east", "east-k")
    for path in ("/h/city/api/v1/devices/me", "/api/v1/devices/me?hall=city", "/h/west/api/v1/devices/me"):
        r = web.get(path, headers=east)
        assert r.status_code == 401, path
        err = r.get_json()["error"]
        assert err["code"] == "other_hall"
        assert "东城区政务服务中心" in err["message_zh"] and "/h/east/" in err["message_zh"]
    r = web.post("/h/city/api/v1/tickets", headers=east, json={"item": "SCJG-001"})
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "other_hall"
    # The home hall's key at a district: pointed back to the home hall's own address, "/".
    home = kiosk(city, "city", "home-k")
    assert "请在 / 使用" in web.get("/h/east/api/v1/devices/me", headers=home).get_json()["error"]["message_zh"]


def test_an_unknown_key_is_refused_as_it_always_was(city, web):  # noqa: F811
    r = web.get("/h/east/api/v1/devices/me", headers={"X-Device-Key": "no-such-key"})
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"


def test_another_halls_token_is_refused_and_an_installation_token_is_good_everywhere(city, web):  # noqa: F811
    accounts.add_user(svc_of(city, "east"), "east-boss", PASSWORD, "manager")
    accounts.add_user(city.services, "city-boss", PASSWORD, "manager", all_halls=True)
    east = login(web, "east-boss", "/h/east")
    assert web.get("/api/v1/auth/me", headers=east).status_code == 200  # the protocol's address
    r = web.get("/h/city/api/v1/hall", headers=east)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "other_hall"
    boss = login(web, "city-boss")
    for prefix in ("", "/h/city", "/h/east", "/h/west"):
        assert web.get(f"{prefix}/api/v1/hall", headers=boss).status_code == 200, prefix
