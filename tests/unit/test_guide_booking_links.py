"""The guide's 预约办理 links (the header, the home page, an item's page) are there while booking is
on and gone with `[appointments] enabled = false` in the hall file (issue 15)."""

from __future__ import annotations

import dataclasses

import pytest

PAGES = ("/guide/", "/guide/items/SCJG-001")


@pytest.fixture(params=[True, False], ids=["on", "off"])
def hall(request, hall):
    return dataclasses.replace(hall, appointments=dataclasses.replace(hall.appointments, enabled=request.param))


def test_the_booking_links_follow_the_hall_file(client, hall):
    for path in PAGES:
        r = client.get(path)
        assert r.status_code == 200, path
        html = r.get_data(as_text=True)
        assert ('href="/guide/book' in html) is hall.appointments.enabled, path
    home = client.get("/guide/").get_data(as_text=True)
    assert ('id="home-book"' in home) is hall.appointments.enabled
