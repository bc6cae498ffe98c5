"""The monthly evaluation's scoring (server/core/evaluation.py): bounded 0..100, monotonic in each
good term and against each bad one, perfect in every term scores exactly 100 whatever the weights,
missing data left out rather than made up, ranks shared on equal scores, the formula as printed."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from server.core import evaluation as ev
from server.core.errors import Invalid

RATE = st.floats(min_value=0, max_value=1, allow_nan=False)
MAYBE_RATE = st.one_of(st.none(), RATE)


@st.composite
def weights(draw) -> ev.Weights:
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=3, max_size=3)))
    parts = [cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], 100 - cuts[2]]
    return ev.Weights(*map(float, parts))


RATES = st.fixed_dictionaries({t.key: MAYBE_RATE for t in ev.TERMS})


@given(weights(), RATES)
def test_the_score_is_between_0_and_100_and_each_term_within_its_weight(w, rates):
    points, score = ev.score_rates(rates, w)
    if all(r is None for r in rates.values()) or all(getattr(w, k) == 0 for k, r in rates.items() if r is not None):
        assert score is None
        return
    assert score is not None and 0 <= score <= 100
    for t in ev.TERMS:
        p = points[t.key]
        assert (p is None) == (rates[t.key] is None)
        assert p is None or 0 <= p <= getattr(w, t.key) + 1e-9


@given(weights(), RATES, st.sampled_from(ev.TERMS), RATE, RATE)
def test_a_better_term_never_lowers_the_score(w, rates, term, a, b):
    low, high = sorted((a, b))
    if term.inverted:  # a share that should be small: less is better
        low, high = high, low
    _, worse = ev.score_rates({**rates, term.key: low}, w)
    _, better = ev.score_rates({**rates, term.key: high}, w)
    assume(worse is not None)
    assert better is not None and better >= worse - 1e-9


@given(weights())
def test_perfect_in_every_term_scores_100_and_worst_scores_0(w):
    best = {t.key: (0.0 if t.inverted else 1.0) for t in ev.TERMS}
    worst = {t.key: (1.0 if t.inverted else 0.0) for t in ev.TERMS}
    points, score = ev.score_rates(best, w)
    assert score == pytest.approx(100)
    assert sum(p or 0 for p in points.values()) == pytest.approx(100)  # the weights as configured
    assert ev.score_rates(worst, w)[1] == pytest.approx(0)


@given(weights(), st.fixed_dictionaries({t.key: RATE for t in ev.TERMS}))
def test_the_score_with_all_terms_is_the_weighted_sum(w, rates):
    expected = sum(getattr(w, t.key) * ((1 - rates[t.key]) if t.inverted else rates[t.key]) for t in ev.TERMS)
    assert ev.score_rates(rates, w)[1] == pytest.approx(expected)


def test_a_term_without_data_is_left_out_and_the_rest_scaled():
    w = ev.Weights()
    f = ev.Figures("1", "窗口1", ratings={}, cases_known=4, cases_on_time=3, served=18, no_show=2,
                   paused_s=600, signed_in_s=6000)
    s = ev.score(f, w)
    assert s.rates == {"satisfaction": None, "on_time": 0.75, "no_show": 0.1, "pause": 0.1}
    assert s.points == {"satisfaction": None, "on_time": 22.5, "no_show": 18.0, "pause": 9.0}
    assert s.score == pytest.approx((22.5 + 18 + 9) / 60 * 100)
    nothing = ev.score(ev.Figures("9", "窗口9"), w)
    assert nothing.score is None and set(nothing.rates.values()) == {None}


def test_satisfaction_counts_levels_5_and_4():
    f = ev.Figures("1", "x", ratings={5: 2, 4: 1, 3: 1, 2: 0, 1: 1})
    assert ev.rates_of(f)["satisfaction"] == pytest.approx(3 / 5)


def test_ranks_best_first_sharing_equal_scores_and_none_last():
    w = ev.Weights()
    rows = [
        ev.Figures("a", "A", ratings={5: 1}, served=1),
        ev.Figures("b", "B", ratings={1: 1}, served=1),
        ev.Figures("c", "C", ratings={4: 1}, served=1),
        ev.Figures("d", "D"),
    ]
    out = ev.ranked(rows, w)
    assert [(s.figures.key, s.rank) for s in out] == [("a", 1), ("c", 1), ("b", 3), ("d", None)]
    assert out[0].score == pytest.approx(100) and out[2].score == pytest.approx(20 / 60 * 100)


def test_the_formula_as_printed():
    assert ev.formula_zh(ev.Weights()) == "得分 = 40×满意率 + 30×按时办结率 + 20×(1−过号率) + 10×(1−暂停占比)"
    assert ev.formula_en(ev.Weights(50, 25, 12.5, 12.5)).startswith("Score = 50×satisfaction rate + 25×")
    assert "12.5×(1−pause share)" in ev.formula_en(ev.Weights(50, 25, 12.5, 12.5))


@pytest.mark.parametrize("parts", [(40, 30, 20, 20), (-10, 50, 30, 30), (0, 0, 0, 0)])
def test_weights_must_sum_to_100_and_not_be_negative(parts):
    with pytest.raises(Invalid):
        ev.Weights(*parts)


def test_the_hall_config_section_sets_the_weights_and_refuses_a_wrong_sum(tmp_path):
    from server.hallconfig import DEFAULT_CONFIG, HallConfigError, load_hall, loads_hall
    from tests.unit.test_hallconfig import BASE

    assert load_hall(DEFAULT_CONFIG).evaluation == ev.Weights(40, 30, 20, 10)
    assert loads_hall(BASE).evaluation == ev.Weights()  # no section: the defaults
    hall = loads_hall(BASE + "\n[evaluation]\nsatisfaction = 50\non_time = 25\nno_show = 12.5\npause = 12.5\n")
    assert hall.evaluation == ev.Weights(50, 25, 12.5, 12.5)
    with pytest.raises(HallConfigError, match="evaluation.*sum to 90"):
        loads_hall(BASE + "\n[evaluation]\nsatisfaction = 30\n")
    with pytest.raises(HallConfigError, match="evaluation"):
        loads_hall(BASE + "\n[evaluation]\nratings = 40\n")
