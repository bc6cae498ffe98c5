"""The accuracy report as a picture (issue 13), drawn with Pillow, which HallQ already needs for
its tickets' QR images: a plotting library would add a heavy dependency for two kinds of chart.

Per scenario, two panels: each predictor's median absolute error at issue (bars, minutes), and
its median absolute error by hour of issue (lines); HallQ's range coverage is written on top.
`draw_many` puts several scenarios side by side (docs/wait-estimates.png).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from .report import PREDICTORS

COLOURS = {"hallq": (214, 60, 40), "queue_length": (60, 110, 190), "hol": (90, 160, 80), "les": (150, 110, 170)}
NAMES = {"hallq": "HallQ", "queue_length": "queue length", "hol": "HOL", "les": "LES"}
PANEL_W, PANEL_H = 560, 300
GREY, INK, WHITE = (200, 200, 200), (30, 30, 30), (255, 255, 255)


def _font(size: int) -> Any:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without a scalable default font
        return ImageFont.load_default()


def _nice_top(value: float) -> float:
    for step in (5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240):
        if value <= step:
            return float(step)
    return float(int(value / 60 + 1) * 60)


def _bars(draw: ImageDraw.ImageDraw, x0: int, y0: int, report: dict[str, Any]) -> None:
    font, small = _font(15), _font(12)
    preds = report["predictors"]
    values = {p: (preds[p]["median_abs_error_s"] or 0.0) / 60.0 for p in PREDICTORS}
    top = _nice_top(max(values.values()) * 1.15 or 1.0)
    left, bottom, height = x0 + 50, y0 + PANEL_H - 40, PANEL_H - 90
    draw.text((x0 + 10, y0 + 8), "median |error| at issue, minutes", fill=INK, font=font)
    for k in range(5):
        v = top * k / 4
        y = bottom - height * k / 4
        draw.line([(left, y), (x0 + PANEL_W - 20, y)], fill=GREY)
        draw.text((x0 + 10, y - 7), f"{v:g}", fill=INK, font=small)
    width = (PANEL_W - 90) / len(PREDICTORS)
    for i, p in enumerate(PREDICTORS):
        bx = left + 10 + i * width
        by = bottom - height * values[p] / top
        draw.rectangle([bx, by, bx + width - 25, bottom], fill=COLOURS[p])
        draw.text((bx, by - 16), f"{values[p]:.1f}", fill=INK, font=small)
        draw.text((bx, bottom + 6), NAMES[p], fill=INK, font=small)
    cov = preds["hallq"].get("range_coverage")
    if cov is not None:
        draw.text((x0 + 10, y0 + 28), f"HallQ range covers {100 * cov:.0f}% of real waits", fill=INK, font=small)


def _by_hour(draw: ImageDraw.ImageDraw, x0: int, y0: int, report: dict[str, Any]) -> None:
    font, small = _font(15), _font(12)
    hours = sorted(report["by_hour"])
    draw.text((x0 + 10, y0 + 8), "median |error| by hour of issue, minutes", fill=INK, font=font)
    if not hours:
        return
    series = {
        p: [(report["by_hour"][h]["predictors"][p]["median_abs_error_s"] or 0.0) / 60.0 for h in hours]
        for p in PREDICTORS
    }
    top = _nice_top(max(max(v) for v in series.values()) * 1.1 or 1.0)
    left, bottom, height, right = x0 + 50, y0 + PANEL_H - 40, PANEL_H - 80, x0 + PANEL_W - 40
    for k in range(5):
        y = bottom - height * k / 4
        draw.line([(left, y), (right, y)], fill=GREY)
        draw.text((x0 + 10, y - 7), f"{top * k / 4:g}", fill=INK, font=small)
    step = (right - left) / max(1, len(hours) - 1)
    for i, h in enumerate(hours):
        draw.text((left + i * step - 6, bottom + 6), h, fill=INK, font=small)
    for n, p in enumerate(PREDICTORS):
        points = [(left + i * step, bottom - height * v / top) for i, v in enumerate(series[p])]
        draw.line(points, fill=COLOURS[p], width=4 if p == "hallq" else 2)
        draw.text((right - 95, y0 + 30 + 15 * n), NAMES[p], fill=COLOURS[p], font=small)


def _panel(image: Image.Image, y0: int, report: dict[str, Any]) -> None:
    draw = ImageDraw.Draw(image)
    title = f"{report['scenario']}  (seed {report['seed']}, {report['scored']} tickets scored)"
    draw.text((12, y0 + 4), title, fill=INK, font=_font(17))
    _bars(draw, 0, y0 + 26, report)
    _by_hour(draw, PANEL_W, y0 + 26, report)


def draw_many(reports: list[dict[str, Any]], path: Path) -> None:
    image = Image.new("RGB", (2 * PANEL_W, (PANEL_H + 30) * len(reports)), WHITE)
    for i, report in enumerate(reports):
        _panel(image, i * (PANEL_H + 30), report)
    image.save(path, optimize=True)


def draw_report(report: dict[str, Any], path: Path) -> None:
    draw_many([report], path)


def main(argv: list[str] | None = None) -> int:
    """python -m server.sim.chart REPORT.json ... --out CHART.png: the scenarios side by side."""
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m server.sim.chart")
    parser.add_argument("reports", nargs="+", type=Path)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    draw_many([json.loads(p.read_text(encoding="utf-8")) for p in args.reports], args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
