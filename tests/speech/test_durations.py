"""The sounds of a call at the hall's default settings, synthesized by the real espeak-ng: a call
is said in about 4 s, and the pieces a busy loudspeaker merges stay inside the durations the
planner's 30 s bound was proven on (test_plan.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from server.app.announce import spoken_pair, spoken_parts
from server.hallconfig import DEFAULT_CONFIG, load_hall
from server.speech.settings import SynthSettings
from tests.speech.support import measure, needs_espeak
from tests.speech.test_plan import FULL, MORE, ONCE

pytestmark = needs_espeak

HALL = load_hall(DEFAULT_CONFIG)
SETTINGS = SynthSettings.from_voice(HALL.voice)
# A typical call, and the slowest the demo hall can make: the longest-read digits (三 and 七
# measured slowest) at the windows whose numbers take longest to say (三十一, 二十三).
TYPICAL = [("A005", "1"), ("A107", "12"), ("C012", "7")]
SLOWEST = [("A333", "31"), ("D777", "23"), ("A000", "32")]


@pytest.fixture(scope="module")
def synth() -> Iterator[object]:
    from server.speech.synth import Synthesizer

    yield Synthesizer()


def _seconds(synth, tmp_path: Path, text: str, settings: SynthSettings) -> float:
    path = tmp_path / "call.wav"
    synth.announcement(text, None, settings, path)
    seconds, loudness = measure(path)
    assert loudness > 0.01, "not silence"
    return seconds


@pytest.mark.parametrize(("number", "window"), TYPICAL)
def test_the_default_announcement_of_a_call_lasts_at_most_4_5_s(synth, tmp_path, number, window) -> None:
    zh, en = spoken_pair(HALL, number, HALL.window(window))
    assert en is None and "办理" not in zh
    seconds = _seconds(synth, tmp_path, zh, SETTINGS)
    print(f"{zh}: {seconds:.2f} s")
    assert seconds <= 4.5


@pytest.mark.parametrize(("number", "window"), TYPICAL + SLOWEST)
def test_every_sound_of_a_call_is_within_the_planners_measured_ranges(synth, tmp_path, number, window) -> None:
    w = HALL.window(window)
    zh, _ = spoken_pair(HALL, number, w)
    once, more = spoken_parts(HALL, number, w)
    full = _seconds(synth, tmp_path, zh, SETTINGS)
    first = _seconds(synth, tmp_path, once, SETTINGS.part())
    after = _seconds(synth, tmp_path, more, SETTINGS.part())
    print(f"{number} at {window}: full {full:.2f} s, once {first:.2f} s, more {after:.2f} s")
    assert FULL[0] <= full <= FULL[1]
    assert ONCE[0] <= first <= ONCE[1]
    assert MORE[0] <= after <= MORE[1]
