"""The day simulator (issue 13): a seed makes the same day; the report's figures come out the same
when recomputed from the raw event log of its database by code of their own; `hallq simulate`
writes what protocol v1.1 asks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from server.cli import run as cli
from server.sim.run import run
from server.sim.scenario import ScenarioError, load_scenario
from tests.sim.recompute import recompute

SHORT = Path(__file__).with_name("short.toml")


@pytest.fixture(scope="module")
def day(tmp_path_factory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("short-1")
    assert cli(["simulate", "--scenario", str(SHORT), "--seed", "7", "--out", str(out)]) == 0
    return json.loads((out / "report.json").read_text(encoding="utf-8")), out


def test_the_report_has_what_the_protocol_asks(day):
    report, out = day
    assert report["tickets"] > 40 and report["scored"] > 30
    for name in ("hallq", "queue_length", "hol", "les"):
        p = report["predictors"][name]
        assert p["median_abs_error_s"] >= 0 and 0 <= p["within_20pct"] <= 1
    assert 0 <= report["predictors"]["hallq"]["range_coverage"] <= 1
    assert (out / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert report["by_queue"] and report["by_hour"] and report["updates"]["hallq"]["n"] > 0


def test_a_seed_replays_the_same_day(day, tmp_path):
    report, out = day
    again = run(SHORT, 7, tmp_path / "again", chart=False)
    assert json.dumps(again, sort_keys=True) == json.dumps(report, sort_keys=True)
    # Every ticket the same but its id, which the hall draws from the system's randomness (it is
    # the unguessable key of the phone page), not from the day's seed.
    def without_ids(path: Path) -> list[str]:
        return [line.split(",", 1)[1] for line in path.read_text(encoding="utf-8").splitlines()]

    assert without_ids(tmp_path / "again" / "tickets.csv") == without_ids(out / "tickets.csv")
    other = run(SHORT, 8, tmp_path / "other", chart=False)
    assert other["predictors"] != report["predictors"]


def test_the_figures_recomputed_from_the_event_log_agree(day):
    report, out = day
    mine = recompute(out / "sim.db")
    assert mine["tickets"] == report["tickets"]
    for name, figures in mine["predictors"].items():
        theirs = report["predictors"][name]
        assert figures["n"] == theirs["n"], name
        assert figures["median_abs_error_s"] == pytest.approx(theirs["median_abs_error_s"], abs=0.6), name
        assert figures["within_20pct"] == pytest.approx(theirs["within_20pct"], abs=0.01), name
        assert figures["within_5min"] == pytest.approx(theirs["within_5min"], abs=0.01), name
        assert figures["bias_s"] == pytest.approx(theirs["bias_s"], abs=0.6), name
    assert mine["range_coverage"] == pytest.approx(report["predictors"]["hallq"]["range_coverage"], abs=0.01)


def test_a_wrong_scenario_is_named_with_its_place(tmp_path):
    bad = tmp_path / "bad.toml"
    hall = SHORT.parent.parent.parent / "config" / "hall.toml"
    text = SHORT.read_text(encoding="utf-8").replace('"../../config/hall.toml"', json.dumps(str(hall)))
    bad.write_text(text.replace('"CRJ-001"', '"NOPE-1"'), encoding="utf-8")
    with pytest.raises(ScenarioError, match="unknown item 'NOPE-1'"):
        load_scenario(bad)
    (tmp_path / "nohall.toml").write_text(text.replace(json.dumps(str(hall)), '"missing.toml"'), encoding="utf-8")
    with pytest.raises(ScenarioError, match="scenario.hall: .*missing.toml"):
        load_scenario(tmp_path / "nohall.toml")
    assert cli(["simulate", "--scenario", str(bad), "--seed", "1", "--out", str(tmp_path / "x")]) == 2


@pytest.mark.postgres
def test_the_same_day_on_postgresql_gives_the_same_figures(day, pg_url, tmp_path):
    """The estimate's reads (server/db/waits_repo.py) and the whole day agree on both databases."""
    from server.db.engine import make_engine
    from server.db.migrate import upgrade
    from server.sim import report as reporting
    from server.sim.day import Day

    report, _ = day
    engine = make_engine(pg_url)
    upgrade(engine)
    try:
        obs = Day(load_scenario(SHORT), 7, engine).run()
    finally:
        engine.dispose()
    again = reporting.build(obs, {})
    assert again["predictors"] == report["predictors"]
    assert again["updates"] == report["updates"]
