"""Every Python module small enough to read whole (issue 10): none over 450 lines.

The faces' scripts have their own bound (600 lines) in tests/unit/test_face_modules.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 450
PACKAGES = ("server", "printers", "console", "kiosk", "display", "admin", "manage", "rater", "guide", "bench")


def modules() -> list[Path]:
    return sorted(
        p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")
        if "migrations" not in p.parts and ".venv" not in p.parts
    )


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_is_small_enough_to_read_whole(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= LIMIT, f"{path.relative_to(ROOT)} has {lines} lines; split it by what it holds"
