"""A call is spoken: the `announcement` event and its audio."""

from __future__ import annotations

import pytest

from server.speech import FakeSpeech


@pytest.fixture
def speech(svc, tmp_path):
    svc.speech = FakeSpeech(tmp_path / "audio")
    yield svc.speech
    svc.speech.close()


@pytest.fixture
def window1(client, make_staff):
    headers = make_staff("ann", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=headers).status_code == 200
    return headers


def announcements(published):
    return [e for c in published for e in c.events if e.event == "announcement"]


def test_a_call_is_announced_to_the_hall_and_its_window_with_the_calls_seq(
    client, kiosk_key, window1, speech, published
):
    client.post("/api/v1/tickets", headers={"X-Device-Key": kiosk_key}, json={"item": "SCJG-001"})
    called = client.post("/api/v1/windows/1/call-next", headers=window1).get_json()["ticket"]
    (said,) = announcements(published)
    assert said.rooms == ["hall", "window:1"]
    assert said.data["text"] == "请A零零幺号到一号窗口"
    assert said.data["number"] == called["number"] and said.data["window"] == "1" and said.data["recall"] is False
    call = next(e for c in published for e in c.events if e.event == "ticket.called")
    assert said.data["seq"] == call.data["seq"]
    with client.get(said.data["audio_url"]) as r:
        assert r.status_code == 200 and r.mimetype == "audio/wav" and r.data[:4] == b"RIFF"
    # The pieces a busy loudspeaker merges (issue 9): each a sound of its own.
    parts = said.data["parts"]
    assert set(parts) == {"chime", "once", "more"} and len(set(parts.values()) | {said.data["audio_url"]}) == 4
    for url in parts.values():
        with client.get(url) as r:
            assert r.status_code == 200 and r.mimetype == "audio/wav", url
    assert ("A零零幺号到一号窗口", None) in speech.requests


def test_a_recall_is_announced_again(client, kiosk_key, window1, speech, published):
    client.post("/api/v1/tickets", headers={"X-Device-Key": kiosk_key}, json={"item": "SCJG-001"})
    client.post("/api/v1/windows/1/call-next", headers=window1)
    client.post("/api/v1/windows/1/recall", headers=window1)
    first, again = announcements(published)
    assert again.data["recall"] is True and again.data["text"] == first.data["text"]
    assert again.data["seq"] > first.data["seq"]


def test_the_next_likely_calls_are_synthesized_in_advance(client, kiosk_key, window1, speech):
    for _ in range(3):
        client.post("/api/v1/tickets", headers={"X-Device-Key": kiosk_key}, json={"item": "SCJG-001"})
    client.post("/api/v1/windows/1/call-next", headers=window1)
    assert ("请A零零二号到一号窗口", None) in speech.prewarmed


def test_unknown_audio_is_a_json_404(client, speech):
    r = client.get("/audio/nothing.wav")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


def test_without_speech_calls_are_shown_but_not_announced(client, kiosk_key, window1, published):
    client.post("/api/v1/tickets", headers={"X-Device-Key": kiosk_key}, json={"item": "SCJG-001"})
    client.post("/api/v1/windows/1/call-next", headers=window1)
    assert announcements(published) == []
