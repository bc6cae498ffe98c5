"""The city's board (issue 16): the staff of the whole installation see every hall at a glance,
each hall's figures as its own board has them; a hall's own staff are refused."""

from __future__ import annotations

import shutil

from server.app import accounts, issuing, window_ops
from server.app.city_board import City, city_board
from server.app.context import Services
from server.db.accounts_repo import to_staff, user_row
from server.db.uow import SYSTEM
from server.hallconfig import DEFAULT_CONFIG, load_hall
from tests.conftest import PASSWORD

EAST = DEFAULT_CONFIG.parent / "halls" / "east.toml"


def staff(svc: Services, username: str):
    with svc.read() as uow:
        return to_staff(user_row(uow.conn, username))


def login(client, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.get_json()
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


def test_a_city_manager_sees_every_hall_with_its_own_figures(client, svc, clock):
    east = Services(hall=load_hall(EAST), engine=svc.engine, clock=clock)
    accounts.add_user(svc, "city-boss", PASSWORD, "manager", all_halls=True)
    accounts.add_user(svc, "clerk", PASSWORD, "window", "SCJG")
    accounts.add_user(east, "east-clerk", PASSWORD, "window", "SCJG")
    window_ops.open_window(svc, staff(svc, "clerk"), "1")
    window_ops.open_window(east, staff(east, "east-clerk"), "2")
    for _ in range(2):
        issuing.issue_ticket(svc, SYSTEM, issuing.TicketRequest(item="SCJG-001"))
    for _ in range(3):
        issuing.issue_ticket(east, SYSTEM, issuing.TicketRequest(item="SCJG-001"))
    clock.advance(minutes=7)
    window_ops.call_next(east, staff(east, "east-clerk"), "2")

    r = client.get("/api/v1/city", headers=login(client, "city-boss"))
    assert r.status_code == 200, r.get_json()
    halls = {h["code"]: h for h in r.get_json()["halls"]}
    assert [h["code"] for h in r.get_json()["halls"]] == ["city", "east", "west"]  # the serving hall first
    assert (halls["city"]["waiting"], halls["city"]["issued_today"], halls["city"]["windows_open"]) == (2, 2, 1)
    assert (halls["east"]["waiting"], halls["east"]["issued_today"], halls["east"]["windows_open"]) == (2, 3, 1)
    assert halls["east"]["windows"] == 14 and halls["east"]["name"] == "东城区政务服务中心"
    assert halls["city"]["longest_wait_s"] == halls["east"]["longest_wait_s"] == 7 * 60
    assert halls["west"]["waiting"] == 0 and halls["west"]["windows_open"] == 0
    # This process serves the municipal center alone: the districts' boards are at their own address.
    assert halls["city"]["board_url"] == "/manage/"
    assert halls["east"]["board_url"] == "http://127.0.0.1:5000/h/east/manage/"
    totals = r.get_json()["totals"]
    assert (totals["halls"], totals["waiting"], totals["issued_today"], totals["windows_open"]) == (3, 4, 5, 2)
    # Each hall's alerts are its own board's: queue B of city waits with no window at all there.
    assert all(set(h["alerts"]) == {"critical", "warn", "info"} for h in halls.values())


def test_a_paused_window_is_counted_apart_from_the_open_ones(client, svc):
    # Staffed but paused is neither open nor closed: the overview says "0/34 · 暂停 1".
    accounts.add_user(svc, "city-boss", PASSWORD, "manager", all_halls=True)
    accounts.add_user(svc, "clerk", PASSWORD, "window", "SCJG")
    window_ops.open_window(svc, staff(svc, "clerk"), "1")
    window_ops.pause(svc, staff(svc, "clerk"), "1", "午休")

    body = client.get("/api/v1/city", headers=login(client, "city-boss")).get_json()
    city = next(h for h in body["halls"] if h["code"] == "city")
    assert (city["windows_open"], city["windows_paused"]) == (0, 1)
    assert (body["totals"]["windows_open"], body["totals"]["windows_paused"]) == (0, 1)


def test_the_staff_of_one_hall_are_refused(client, svc):
    accounts.add_user(svc, "boss", PASSWORD, "manager")
    accounts.add_user(svc, "clerk", PASSWORD, "window", "SCJG")
    for name in ("boss", "clerk"):
        r = client.get("/api/v1/city", headers=login(client, name))
        assert r.status_code == 403
        assert r.get_json()["error"]["message_zh"] == "全市大厅总览仅供全市管理人员使用"
    assert client.get("/api/v1/city").status_code == 401


def test_a_hall_file_that_cannot_be_read_is_shown_with_its_problem(svc, tmp_path):
    config = tmp_path / "hall.toml"
    shutil.copy(DEFAULT_CONFIG, config)
    shutil.copytree(DEFAULT_CONFIG.parent / "forms", tmp_path / "forms")
    (tmp_path / "halls").mkdir()
    (tmp_path / "halls" / "north.toml").write_text('defaults = "../hall.toml"\n[hall]\ncode = "north"\n'
                                                   '[[windows]]\nid = "1"\ndepartment = "SCJG"\nqueues = ["Z"]\n',
                                                   encoding="utf-8")
    shutil.copy(EAST, tmp_path / "halls" / "east.toml")
    accounts.add_user(svc, "city-boss", PASSWORD, "admin", all_halls=True)
    board = city_board(City(svc, config), staff(svc, "city-boss"))
    rows = {h["name"]: h for h in board["halls"]}
    assert [h["code"] for h in board["halls"]] == ["city", "east", None]
    assert 'north.toml: windows[0] (id "1"): serves unknown queue "Z"' in rows["north.toml"]["problem"]
    assert board["totals"]["halls"] == 2  # what could be read
