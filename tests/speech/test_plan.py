"""The loudspeaker's plan: ten windows calling at once are all heard within 30 s, on the durations
measured with espeak-ng (docs/voice.md; test_durations.py checks real audio stays inside them)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.speech.plan import Player, Policy, Sounds, Step, next_step, simulate
from server.speech.settings import HallVoice

ROOT = Path(__file__).resolve().parents[2]
BOUND_S = 30.0

# Seconds measured at the default settings (rate 200, busy rate 230, short chime) over the demo
# hall's calls, numbers A000-A999 at windows 1-32, with a margin; docs/voice.md lists them.
# test_durations.py synthesizes the slowest texts and checks they are inside these ranges.
FULL = (3.2, 4.3)
CHIME = 0.8  # the short ding-dong (0.6 s) and the pause after it (0.2 s)
ONCE = (1.9, 2.9)
MORE = (1.8, 2.7)

DEFAULT = Policy(merge_after=HallVoice.merge_after, merge_max=HallVoice.merge_max)


def sounds() -> st.SearchStrategy[Sounds]:
    return st.builds(
        Sounds,
        full=st.floats(*FULL),
        chime=st.just(CHIME),
        once=st.floats(*ONCE),
        more=st.floats(*MORE),
    )


@st.composite
def bursts(draw: st.DrawFn, max_calls: int = 10) -> tuple[list[float], list[Sounds]]:
    n = draw(st.integers(1, max_calls))
    # Any pattern: all at once, a trickle, or calls landing just as the loudspeaker starts.
    arrivals = sorted(draw(st.lists(st.floats(0, 40), min_size=n, max_size=n)))
    return arrivals, draw(st.lists(sounds(), min_size=n, max_size=n))


@settings(max_examples=400, deadline=None)
@given(bursts())
def test_every_call_of_a_burst_of_up_to_ten_is_heard_within_30_s(burst) -> None:
    arrivals, durations = burst
    heard = simulate(arrivals, durations, DEFAULT)
    waits = [h - a for h, a in zip(heard, arrivals, strict=True)]
    assert max(waits) <= BOUND_S, waits


@settings(max_examples=200, deadline=None)
@given(bursts(max_calls=30))
def test_each_call_is_said_once_and_in_call_order(burst) -> None:
    arrivals, durations = burst
    heard = simulate(arrivals, durations, DEFAULT)
    assert len(heard) == len(arrivals)
    assert heard == sorted(heard)
    assert all(h > a for h, a in zip(heard, arrivals, strict=True))


def test_ten_at_once_with_the_slowest_texts_is_the_worst_case_and_fits() -> None:
    slow = Sounds(full=FULL[1], chime=CHIME, once=ONCE[1], more=MORE[1])
    heard = simulate([0.0] * 10, [slow] * 10, DEFAULT)
    assert heard[-1] <= BOUND_S
    # One call at a time (no merging), even said once each with a chime, the same burst overruns:
    # merging is what keeps the bound.
    old = simulate([0.0] * 10, [slow] * 10, Policy(merge_after=99, merge_max=1, idle_after_s=0.0))
    assert old[-1] > BOUND_S


def test_a_lone_call_to_a_silent_loudspeaker_gets_its_full_announcement() -> None:
    assert next_step(1, now=100.0, last_end=None, policy=DEFAULT) == Step(1, full=True, chime=True)
    assert next_step(1, now=100.0, last_end=90.0, policy=DEFAULT) == Step(1, full=True, chime=True)


def test_a_backlog_merges_the_oldest_calls_without_a_second_chime() -> None:
    back_to_back = 100.0 - Player().gap_s
    assert next_step(1, now=100.0, last_end=back_to_back, policy=DEFAULT) == Step(1, full=False, chime=False)
    assert next_step(9, now=100.0, last_end=back_to_back, policy=DEFAULT) == Step(6, full=False, chime=False)
    assert next_step(3, now=100.0, last_end=None, policy=DEFAULT) == Step(3, full=False, chime=True)
    # merge_after 3: two waiting are said one at a time, once each (their repeats dropped).
    assert next_step(2, now=100.0, last_end=None, policy=Policy(merge_after=3)) == Step(1, full=False, chime=True)
    assert next_step(0, now=100.0, last_end=None, policy=DEFAULT) is None


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed: the display's copy is not checked")
def test_the_displays_planner_makes_the_same_choices() -> None:
    cases = [
        {"waiting": w, "now": now, "last_end": last, "policy": {"merge_after": a, "merge_max": m, "idle_after_s": 1.0}}
        for w in range(0, 12)
        for a in range(1, 5)
        for m in range(1, 8)
        for now, last in ((100.0, None), (100.0, 99.6), (100.0, 99.0), (100.0, 98.0))
    ]
    script = (
        "const p = require(process.argv[1]);"
        "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(cases.map(c => p.nextStep(c.waiting, c.now * 1000,"
        " c.last_end === null ? null : c.last_end * 1000, c.policy))));"
    )
    out = subprocess.run(
        ["node", "-e", script, str(ROOT / "display/static/voiceplan.js")],
        input=json.dumps(cases), capture_output=True, text=True, check=True, timeout=30,
    ).stdout
    for case, got in zip(cases, json.loads(out), strict=True):
        want = next_step(case["waiting"], case["now"], case["last_end"], Policy(**case["policy"]))
        assert got == (None if want is None else {"take": want.take, "full": want.full, "chime": want.chime}), case
