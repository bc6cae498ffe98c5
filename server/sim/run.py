"""`hallq simulate --scenario FILE --seed N --out DIR`: replay a day, write DIR/report.json, the
per-ticket figures DIR/tickets.csv, the chart DIR/chart.png and the scratch database DIR/sim.db
(whose event log is the raw record of the day)."""

from __future__ import annotations

import csv
import json
import time
from dataclasses import astuple, fields
from pathlib import Path
from typing import Any

from . import report
from .day import simulate
from .observe import Record, Update
from .scenario import load_scenario


def run(scenario_path: Path | str, seed: int, out: Path | str, *, chart: bool = True) -> dict[str, Any]:
    out = Path(out)
    scenario = load_scenario(scenario_path)
    began = time.perf_counter()
    obs, engine = simulate(scenario, seed, out)
    engine.dispose()
    wall = time.perf_counter() - began
    meta = {
        "scenario": scenario.name,
        "scenario_file": str(scenario_path),
        "hall": scenario.hall.code,
        "day": scenario.day.isoformat(),
        "seed": seed,
        "windows": len(scenario.windows),
    }
    result = report.build(obs, meta)
    # How long the replay took here: kept out of the figures, so a seed's report is the same.
    (out / "timing.json").write_text(json.dumps({"wall_s": round(wall, 2), "changes": obs.changes}) + "\n")
    (out / "report.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    with (out / "tickets.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([fl.name for fl in fields(Record)])
        for rec in obs.records.values():
            writer.writerow(astuple(rec))
    with (out / "updates.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([fl.name for fl in fields(Update)])
        for upd in obs.updates:
            writer.writerow(astuple(upd))
    if chart:
        from .chart import draw_report

        draw_report(result, out / "chart.png")
    return result
