"""One process serving the installation's halls (issue 16, `serve --all-halls`): the protocol's
addresses reach a device's or an account's own hall, `/h/CODE/` and `?hall=CODE` reach any other,
and nothing of one hall is seen or changed through another's scope."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from server.app import accounts
from server.app.halls import installation_halls
from server.bootstrap import build
from server.hallconfig import DEFAULT_CONFIG, HallConfigError, load_hall
from server.settings import Settings
from tests.conftest import PASSWORD


@pytest.fixture
def city(hall, db_engine, clock, tmp_path, published) -> Any:
    settings = Settings(db_url=str(db_engine.url), async_mode="threading", var_dir=tmp_path, testing=True,
                        config=DEFAULT_CONFIG, all_halls=True)
    return build(settings, hall=hall, engine=db_engine, clock=clock, watch=[published.append])


@pytest.fixture
def web(city):
    return city.app.test_client()


def svc_of(city, code: str):
    served = city.halls.get(code)
    assert served is not None, code
    return served.services


def kiosk(city, code: str, name: str) -> dict[str, str]:
    return {"X-Device-Key": accounts.add_device(svc_of(city, code), name, "kiosk")}


def login(web, username: str, prefix: str = "") -> dict[str, str]:
    r = web.post(f"{prefix}/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.get_json()
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


def take(web, headers: dict[str, str], path: str = "/api/v1/tickets") -> dict[str, Any]:
    r = web.post(path, headers=headers, json={"item": "SCJG-001"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["ticket"]


def test_the_process_serves_the_home_hall_and_both_districts(city):
    assert city.halls.codes == ["city", "east", "west"]
    assert city.services is svc_of(city, "city")
    assert svc_of(city, "east").hall.name == "东城区政务服务中心"


def test_a_kiosk_issues_in_its_own_hall_at_the_protocols_address(city, web):
    city_kiosk, east_kiosk = kiosk(city, "city", "kiosk-c"), kiosk(city, "east", "kiosk-e")
    assert take(web, city_kiosk)["number"] == "A001"
    first_east = take(web, east_kiosk)
    assert first_east["number"] == "A001"  # east numbers on its own
    assert take(web, east_kiosk, "/h/east/api/v1/tickets")["number"] == "A002"
    assert take(web, city_kiosk)["number"] == "A002"
    # The ticket is east's: east's address finds it, the city's does not.
    assert web.get(f"/h/east/api/v1/tickets/{first_east['id']}").status_code == 200
    assert web.get(f"/api/v1/tickets/{first_east['id']}").status_code == 404


def test_a_device_of_one_hall_cannot_act_in_another(city, web):
    east_kiosk = kiosk(city, "east", "kiosk-e")
    for path in ("/h/city/api/v1/tickets", "/api/v1/tickets?hall=west"):
        r = web.post(path, headers=east_kiosk, json={"item": "SCJG-001"})
        assert r.status_code == 401, (path, r.get_json())


def test_an_unknown_hall_is_named(web):
    for path in ("/h/south/api/v1/catalog", "/api/v1/catalog?hall=south"):
        r = web.get(path)
        assert r.status_code == 404
        error = r.get_json()["error"]
        assert error["code"] == "unknown_hall" and "city, east, west" in error["message"]
        assert "south" in error["message_zh"]


def test_public_addresses_take_the_hall_from_the_prefix(web):
    home = web.get("/api/v1/catalog").get_json()
    east = web.get("/h/east/api/v1/catalog").get_json()
    assert home["hall"]["code"] == "city" and east["hall"]["code"] == "east"
    assert web.get("/api/v1/catalog?hall=west").get_json()["hall"]["code"] == "west"


def test_staff_sign_in_at_their_hall_and_a_city_manager_anywhere(city, web):
    accounts.add_user(svc_of(city, "east"), "east-clerk", PASSWORD, "window", "SCJG")
    accounts.add_user(city.services, "city-boss", PASSWORD, "manager", all_halls=True)
    clerk = login(web, "east-clerk", "/h/east")
    # Unscoped, the clerk's token leads to east: the clerk's own hall.
    assert web.get("/api/v1/auth/me", headers=clerk).get_json()["user"]["hall"] == "east"
    assert web.post("/api/v1/windows/1/open", headers=clerk).status_code == 200
    assert web.post("/h/city/api/v1/windows/1/open", headers=clerk).status_code == 401
    r = web.post("/api/v1/auth/login", json={"username": "east-clerk", "password": PASSWORD})
    assert r.status_code == 401  # the home hall does not know east's clerk

    boss = login(web, "city-boss")
    take(web, kiosk(city, "east", "kiosk-e"))
    east_board = web.get("/api/v1/manage/board?hall=east", headers=boss).get_json()
    home_board = web.get("/api/v1/manage/board", headers=boss).get_json()
    assert sum(q["waiting"] for q in east_board["queues"]) == 1
    assert sum(q["waiting"] for q in home_board["queues"]) == 0
    assert web.get("/h/west/api/v1/manage/board", headers=boss).status_code == 200


def test_pages_under_a_prefix_link_back_into_their_hall(web):
    page = web.get("/h/east/manage/")
    assert page.status_code == 200
    assert web.get("/h/east/kiosk/").status_code == 200
    assert web.get("/h/south/kiosk/").status_code == 404


def test_a_display_connection_follows_its_own_hall_only(city, web):
    east_display = accounts.add_device(svc_of(city, "east"), "display-e", "display")
    city_display = accounts.add_device(city.services, "display-c", "display")
    sio = city.socketio
    east = sio.test_client(city.app, auth={"device_key": east_display})
    home = sio.test_client(city.app, auth={"device_key": city_display})
    scoped = sio.test_client(city.app, query_string="hall=east", auth={"device_key": east_display})
    wrong = sio.test_client(city.app, query_string="hall=city", auth={"device_key": east_display})
    assert east.is_connected() and home.is_connected() and scoped.is_connected()
    assert not wrong.is_connected()  # an east key is refused at the city's address
    for client in (east, home, scoped):
        assert "error" not in client.emit("subscribe", {"rooms": ["hall"]}, callback=True)
        client.get_received()
    ticket = take(web, kiosk(city, "east", "kiosk-e"))
    got_east = [m["args"][0] for m in east.get_received() if m["name"] == "ticket.issued"]
    got_scoped = [m["args"][0] for m in scoped.get_received() if m["name"] == "ticket.issued"]
    assert [e["ticket"]["id"] for e in got_east] == [ticket["id"]] == [e["ticket"]["id"] for e in got_scoped]
    assert got_east[0]["seq"] >= 1
    assert not [m for m in home.get_received() if m["name"] == "ticket.issued"]


def write_hall(folder: Path, name: str, code: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(
        f'defaults = "{DEFAULT_CONFIG}"\n[hall]\ncode = "{code}"\nname = "测试中心"\nname_en = "Test"\n',
        encoding="utf-8")


def test_hall_codes_differing_only_in_case_are_refused(tmp_path):
    write_hall(tmp_path, "hall.toml", "city")
    home = load_hall(tmp_path / "hall.toml")
    write_hall(tmp_path / "halls", "a.toml", "north")
    assert [h.code for h in installation_halls(home, tmp_path / "hall.toml")] == ["city", "north"]
    write_hall(tmp_path / "halls", "b.toml", "NORTH")
    with pytest.raises(HallConfigError, match="differ in more than case"):
        installation_halls(home, tmp_path / "hall.toml")


def test_the_city_overview_links_each_served_hall_within_this_server(city, web):
    accounts.add_user(city.services, "city-boss", PASSWORD, "manager", all_halls=True)
    boss = login(web, "city-boss")
    for prefix in ("", "/h/west"):  # whichever hall's address the overview is opened under
        halls = web.get(f"{prefix}/api/v1/city", headers=boss).get_json()["halls"]
        assert [(h["code"], h["board_url"]) for h in halls] == [
            ("city", "/manage/"), ("east", "/h/east/manage/"), ("west", "/h/west/manage/")]


def test_a_paper_of_any_hall_checks_out_at_every_hall_of_the_server(city, web):
    from sqlalchemy import update

    from server.db.tables import documents
    from server.db.uow import SYSTEM
    from tests.db.test_two_halls_cases import open_case

    east = svc_of(city, "east")
    with east.write(SYSTEM) as uow:
        open_case(uow.conn, "east")
        uow.conn.execute(update(documents).values(verify_code="EAST2222333344HH"))  # a code as printed
        uow.commit()
    for path in ("/api/v1/verify/EAST-2222-3333-44HH", "/h/west/api/v1/verify/east2222333344hh"):
        r = web.get(path)
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["document"]["number"] == "EAST-市监受字〔2026〕1号"
    page = web.get("/verify/EAST2222333344HH")
    assert page.status_code == 200 and "东城区政务服务中心" in page.get_data(as_text=True)
    assert web.get("/api/v1/verify/WEST2222333344HH").status_code == 404
