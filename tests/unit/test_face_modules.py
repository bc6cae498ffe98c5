"""The faces' scripts stay readable and share one DOM helper (issue 10, point 7).

Each face (console, kiosk, displays) is a set of native ES modules, none over 600 lines, that
build their elements with the shared /static/shared/dom.js instead of a helper of their own.
Their imports are checked here too, without a browser: every module imported exists and exports
the names asked of it (the browser tests would only see a broken import as a blank page).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / "server/web/static"
FACES = [ROOT / "console", ROOT / "kiosk", ROOT / "display", ROOT / "admin", ROOT / "manage", ROOT / "rater",
         ROOT / "guide", SHARED]
MAX_LINES = 600
DOM_MODULE = SHARED / "shared/dom.js"
# Classic scripts, not modules: the Socket.IO client's wrapper every page loads by a tag (the
# phone's page needs it without modules), the speech planner node also runs (tests/speech), and
# the phone's status page, written in ES5 for old phones' browsers, and the rating form it shares
# with the case progress page (whose mount script is classic too) and the rating pad.
CLASSIC = {SHARED / "hallq-live.js", ROOT / "display/static/voiceplan.js", ROOT / "kiosk/static/status.js",
           SHARED / "rating-form.js", SHARED / "case-rating.js",
           ROOT / "kiosk/static/wait.js"}

IMPORT = re.compile(r'^import\s*\{([^}]*)\}\s*from\s*"([^"]+)";', re.M)
EXPORT_DECL = re.compile(r"^export\s+(?:function|var|let|const|class)\s+([\w$]+)", re.M)
EXPORT_LIST = re.compile(r"^export\s*\{([^}]*)\};", re.M)
# A function of the page's own that makes elements or finds them by id: the shared helper's job.
OWN_HELPER = re.compile(
    r"^\s*(?:function\s+(?:h|el|\$)\s*\(|(?:var|let|const)\s+(?:h|el|\$)\s*=)", re.M)


def scripts() -> list[Path]:
    found = []
    for face in FACES:
        for path in sorted(face.rglob("*.js")):
            if "vendor" in path.relative_to(face).parts:
                continue
            found.append(path)
    return found


def modules() -> list[Path]:
    return [p for p in scripts() if p not in CLASSIC]


def names(listed: str, *, imported: bool = False) -> list[str]:
    """The names a `{...}` list makes visible; for an import, the names it takes from the module
    (`{a as b}` takes a)."""
    return [n.strip().split(" as ")[0 if imported else -1] for n in listed.split(",") if n.strip()]


def exports(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    found = set(EXPORT_DECL.findall(text))
    for listed in EXPORT_LIST.findall(text):
        found.update(names(listed))
    return found


def resolve(importer: Path, spec: str) -> Path:
    if spec.startswith("/static/"):
        return SHARED / spec.removeprefix("/static/")
    assert spec.startswith("./"), f"{importer}: import {spec!r} by a path the browser resolves the same way"
    return importer.parent / spec


def test_the_faces_have_scripts_to_check() -> None:
    found = {p.relative_to(ROOT).as_posix() for p in modules()}
    assert {"console/static/console.js", "kiosk/static/kiosk.js", "display/static/display.js",
            "server/web/static/shared/dom.js"} <= found


@pytest.mark.parametrize("path", scripts(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_script_is_over_600_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it by concern"


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_face_defines_its_own_dom_helper(path: Path) -> None:
    if path == DOM_MODULE:
        return
    text = path.read_text(encoding="utf-8")
    assert not OWN_HELPER.search(text), f"{path.relative_to(ROOT)}: import $, h or el from /static/shared/dom.js"
    if "document.createElement(" in text:
        pytest.fail(f"{path.relative_to(ROOT)} builds elements itself: use h() or el() from /static/shared/dom.js")


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_import_exists_and_is_exported(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for listed, spec in IMPORT.findall(text):
        target = resolve(path, spec)
        assert target.is_file(), f"{path.relative_to(ROOT)} imports {spec}, which is not there"
        missing = set(names(listed, imported=True)) - exports(target)
        assert not missing, f"{path.relative_to(ROOT)} imports {sorted(missing)} that {spec} does not export"


def test_the_faces_draw_with_the_shared_helper() -> None:
    """The three faces that used to have a helper each (h, el, el) import the shared one."""
    for face in ("console/static/render.js", "kiosk/static/catalog.js", "display/static/hall.js"):
        text = (ROOT / face).read_text(encoding="utf-8")
        assert re.search(r'^import \{[^}]*\} from "/static/shared/dom\.js";', text, re.M), face


CLASSIC_TAGS = ("/static/vendor/", "/static/hallq-live.js", "/display/static/voiceplan.js", "/static/rating-form.js",
                "/kiosk/static/wait.js")


@pytest.mark.parametrize("page", ["console/templates/console/console.html", "kiosk/templates/kiosk/kiosk.html",
                                  "display/templates/display/hall.html", "display/templates/display/window.html",
                                  "rater/templates/rater/rater.html"])
def test_each_page_loads_its_face_as_a_module(page: str) -> None:
    html = (ROOT / page).read_text(encoding="utf-8")
    tags = [t for t in re.findall(r"<script\b[^>]*\bsrc=[^>]*>", html) if not any(c in t for c in CLASSIC_TAGS)]
    assert tags and all('type="module"' in t for t in tags), tags
