"""Read the hall file, say precisely what is wrong with it, and build the core's `Hall`.

A hall admin edits this file by hand, so every problem is reported as
`FILE: ENTRY: PROBLEM` (e.g. `config/hall.toml: windows[3] (id "12"): serves unknown queue "Z"`),
as many at once as can be found rather than one per restart. Indexes count from 0 (`windows[0]` is
the first `[[windows]]` table); the id or code beside them is what an admin searches the file for.
Checks between entries (a window naming a queue) run only once every entry is valid on its own,
so their messages never repeat a problem already reported.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from server.core.cases import MAX_LENGTH as CASE_NUMBER_LENGTH
from server.core.hall import Hall

from .case_clock import unknown_items
from .guides import FORMS_DIR
from .schema import HallFile, ItemIn, QueueIn, WarningTierIn, WindowIn

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "config" / "hall.toml"

# Entries of these arrays of tables are named by the key that identifies them.
_KEYED = {
    "departments": "code",
    "queues": "code",
    "items": "code",
    "windows": "id",
    "warning_tiers": "name",
    "printer_profiles": "name",
    "overflow": "name",
}
_TYPE_PROBLEMS = {
    "model_type": "should be a table",
    "model_attributes_type": "should be a table",
    "dict_type": "should be a table",
    "list_type": "should be an array",
    "string_type": "should be a string",
    "int_type": "should be a whole number",
    "float_type": "should be a number",
    "bool_type": "should be true or false",
}


class HallConfigError(Exception):
    """The hall file cannot be used; the message names the file, the entry and the problem."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{source}: {p}" for p in self.problems))


def load_hall(path: str | os.PathLike[str] = DEFAULT_CONFIG) -> Hall:
    """The hall of a hall file. A file may start from shared defaults: `defaults = "FILE"` (relative
    to the file) names a file whose tables it inherits, key by key; what the hall file sets wins,
    and an array it sets (its windows, its departments) replaces the defaults' whole. Halls of one
    installation share their province's rules and catalogue this way, each file saying only how it
    differs."""
    source = os.fspath(path)
    raw, forms_dir = _read_with_defaults(Path(path), source, [])
    return _hall_of(raw, source, forms_dir)


def _read_toml(path: Path, source: str) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise HallConfigError(source, [f"cannot read the file: {e.strerror or e}"]) from e
    try:
        # utf-8-sig: Windows Notepad saves a BOM, which TOML would otherwise refuse.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise HallConfigError(source, [f"not UTF-8 text (bad byte at offset {e.start})"]) from e
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise HallConfigError(source, [f"TOML syntax error: {e}"]) from e


def _read_with_defaults(path: Path, source: str, seen: list[Path]) -> tuple[dict[str, Any], Path]:
    """The file's tables over its defaults' (recursively), and the folder its sample forms are in:
    its own `forms/` where it has one, else its defaults'."""
    resolved = path.resolve()
    if resolved in seen:
        chain = " → ".join(os.fspath(p) for p in [*seen, resolved])
        raise HallConfigError(source, [f"defaults: the files name each other in a circle ({chain})"])
    raw = _read_toml(path, source)
    forms_dir = path.parent / "forms"
    base = raw.pop("defaults", None)
    if base is None:
        return raw, forms_dir
    if not isinstance(base, str) or not base:
        raise HallConfigError(source, [f"defaults: must be the name of a file, not {_short(base)}"])
    base_path = path.parent / base
    if not base_path.is_file():
        raise HallConfigError(source, [f"defaults: no file {os.fspath(base_path)!r}"])
    inherited, base_forms = _read_with_defaults(base_path, os.fspath(base_path), [*seen, resolved])
    return _merged(inherited, raw), forms_dir if forms_dir.is_dir() else base_forms


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def loads_hall(text: str, source: str = "<string>", *, forms_dir: Path | None = None) -> Hall:
    """Like `load_hall`, for text already in memory; `source` names it in messages. Given
    `forms_dir`, every guide's sample form must be a file there."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise HallConfigError(source, [f"TOML syntax error: {e}"]) from e
    if "defaults" in raw:
        raise HallConfigError(source, ["defaults: only a hall file read from disk can name a defaults file"])
    return _hall_of(raw, source, forms_dir)


def _hall_of(raw: dict[str, Any], source: str, forms_dir: Path | None) -> Hall:
    try:
        model = HallFile.model_validate(raw, context={FORMS_DIR: forms_dir} if forms_dir else None)
    except ValidationError as e:
        raise HallConfigError(source, [_schema_problem(err, raw) for err in e.errors()]) from e
    problems = _cross_check(model)
    if problems:
        raise HallConfigError(source, problems)
    return model.to_core()


# --- problems found by the schema, located in the raw file -----------------------------------


def _schema_problem(err: Any, raw: dict[str, Any]) -> str:
    loc, kind = tuple(err["loc"]), err["type"]
    if kind == "extra_forbidden":
        *parent, key = loc
        return f'{_locate(parent, raw)}: unknown key "{key}"{_key_hint(str(key), parent)}'
    if kind == "missing":
        *parent, key = loc
        return f'{_locate(parent, raw)}: missing required key "{key}"'
    if kind == "value_error":
        problem = str(err["ctx"]["error"])
    else:
        problem = _TYPE_PROBLEMS.get(kind) or err["msg"].replace("Input should", "should")
        problem += f" (got {_short(err['input'])})"
    return f"{_locate(loc, raw)}: {problem}"


def _locate(loc: Sequence[Any], raw: dict[str, Any]) -> str:
    if not loc:
        return "top level"
    head, rest = str(loc[0]), list(loc[1:])
    entry = head
    if head in _KEYED and rest and isinstance(rest[0], int):
        index = rest.pop(0)
        entries = raw.get(head)
        found = entries[index] if isinstance(entries, list) and index < len(entries) else None
        key = found.get(_KEYED[head]) if isinstance(found, dict) else None
        if isinstance(key, int) and not isinstance(key, bool) and head == "windows":
            key = str(key)
        entry = _label(head, index, key if isinstance(key, str) and key.strip() else None)
    if not rest:
        return entry
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest).lstrip(".")
    return f"{entry}: {path}"


def _label(section: str, index: int, key: str | None) -> str:
    """How messages name an entry: `items.SB-01`, `windows[3] (id "12")`."""
    if key is None:
        return f"{section}[{index}]"
    if _KEYED.get(section) == "code":
        return f"{section}.{key}"
    return f'{section}[{index}] ({_KEYED.get(section, "key")} "{key}")'


def _key_hint(key: str, parent: Sequence[Any]) -> str:
    model: type[BaseModel] | None = HallFile
    for part in parent:
        if model is None or isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        model = _model_in(field.annotation) if field else None
    if model is None:
        return ""
    valid = list(model.model_fields)
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
    if close:
        return f' (did you mean "{close[0]}"?)'
    return f" (valid keys: {', '.join(valid)})"


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- problems that need the whole file ------------------------------------------------------


def _cross_check(f: HallFile) -> list[str]:
    """Everything that relates one entry to another; the schema has checked each alone."""
    departments = {d.code for d in f.departments}
    # First of duplicates wins, so the follow-on messages agree with "used twice".
    queues: dict[str, QueueIn] = {}
    for q in f.queues:
        queues.setdefault(q.code, q)
    problems = _duplicates(f)
    for code in dict.fromkeys(d.code for d in f.departments):
        # HALL-DEPT-2026-000001 must fit the case number's columns.
        if len(f"{f.hall.code}-{code}-2026-000001") > CASE_NUMBER_LENGTH:
            problems.append(f'departments.{code}: with the hall\'s code "{f.hall.code}" its case numbers would be '
                            f"longer than {CASE_NUMBER_LENGTH} characters: shorten one of the codes")
    for q in f.queues:
        if q.department not in departments:
            problems.append(f"queues.{q.code}: {_unknown('department', q.department, departments)}")
    for item in f.items:
        problems += _item_problems(item, departments, queues)
    for i, w in enumerate(f.windows):
        where = _label("windows", i, w.id)
        problems += [f"{where}: {p}" for p in _window_problems(w, departments, queues)]
    served = {sq.queue for w in f.windows for sq in w.queues}
    for q in f.queues:
        if q.code not in served:
            # Article 26: a ticket must never wait in a queue nobody can call.
            problems.append(f"queues.{q.code}: no window serves this queue")
    for q in f.queues:
        serving = [w for w in f.windows if any(sq.queue == q.code for sq in w.queues)]
        if serving and all(w.reserve for w in serving):
            problems.append(f"queues.{q.code}: only reserve windows serve this queue, and they are closed by default")
    problems += _tier_problems(f.warning_tiers or [])
    problems += unknown_items(f.item_warning_tiers, {i.code for i in f.items})
    problems += _staffing_problems(f, queues)
    return problems


def _staffing_problems(f: HallFile, queues: dict[str, QueueIn]) -> list[str]:
    """The alert thresholds and overflow rules name queues and windows that must exist."""
    problems = [
        f"alerts: queue_longest_wait_minutes: {_unknown('queue', code, queues)}"
        for code in f.alerts.queue_longest_wait_minutes
        if code not in queues
    ]
    windows = {w.id for w in f.windows}
    for i, rule in enumerate(f.overflow):
        where = _label("overflow", i, rule.name)
        if rule.queue not in queues:
            problems.append(f"{where}: {_unknown('queue', rule.queue, queues)}")
        if rule.window not in windows:
            problems.append(f"{where}: {_unknown('window', rule.window, windows)}")
    return problems


def _duplicates(f: HallFile) -> list[str]:
    problems: list[str] = []
    for section in ("departments", "queues", "items", "printer_profiles", "warning_tiers", "overflow"):
        key = _KEYED[section]
        entries = getattr(f, section) or []
        for value, where in _repeats((getattr(e, key), i) for i, e in enumerate(entries)).items():
            listed = " and ".join(f"{section}[{i}]" for i in where)
            problems.append(f'{_label(section, where[0], value)}: {key} "{value}" is used twice ({listed})')
    prefixes = _repeats((q.prefix, i) for i, q in enumerate(f.queues))
    for prefix, where in prefixes.items():
        first = f.queues[where[0]].code
        for i in where[1:]:
            problems.append(f'queues.{f.queues[i].code}: ticket prefix "{prefix}" is already used by queue "{first}"')
    for attr in ("id", "number"):
        for value, where in _repeats((getattr(w, attr), i) for i, w in enumerate(f.windows)).items():
            first = _label("windows", where[0], f.windows[where[0]].id)
            shown = f'"{value}"' if attr == "id" else value
            for i in where[1:]:
                problems.append(f"{_label('windows', i, f.windows[i].id)}: {attr} {shown} is already used by {first}")
    return problems


def _repeats(pairs: Iterable[tuple[Any, int]]) -> dict[Any, list[int]]:
    seen: dict[Any, list[int]] = {}
    for value, index in pairs:
        seen.setdefault(value, []).append(index)
    return {value: where for value, where in seen.items() if len(where) > 1}


def _item_problems(item: ItemIn, departments: set[str], queues: dict[str, QueueIn]) -> list[str]:
    problems = []
    if item.department not in departments:
        problems.append(_unknown("department", item.department, departments))
    queue = queues.get(item.queue)
    if queue is None:
        problems.append("routed to " + _unknown("queue", item.queue, queues))
    elif queue.department != item.department and item.department in departments:
        problems.append(
            f'routed to queue "{queue.code}" of department "{queue.department}", '
            f'not to a queue of its own department "{item.department}"'
        )
    # Article 17: the lead department is `department`; the copied ones are the others.
    for code, where in _repeats((c, i) for i, c in enumerate(item.copied_departments)).items():
        problems.append(f'copied_departments lists "{code}" {len(where)} times')
    for code in dict.fromkeys(item.copied_departments):
        if code == item.department:
            problems.append(f'copied_departments lists the lead department "{code}" itself')
        elif code not in departments:
            problems.append("copied_departments: " + _unknown("department", code, departments))
    return [f"items.{item.code}: {p}" for p in problems]


def _window_problems(w: WindowIn, departments: set[str], queues: dict[str, QueueIn]) -> list[str]:
    problems = []
    for code in _repeats((sq.queue, i) for i, sq in enumerate(w.queues)):
        problems.append(f'serves queue "{code}" twice')
    known = [queues[sq.queue] for sq in w.queues if sq.queue in queues]
    problems += [f"serves {_unknown('queue', sq.queue, queues)}" for sq in w.queues if sq.queue not in queues]
    if w.kind == "department":
        if w.department is None:
            problems.append('a department window needs department = "CODE" (or kind = "proxy")')
        elif w.department not in departments:
            problems.append(_unknown("department", w.department, departments))
        else:
            for q in known:
                if q.department != w.department:
                    problems.append(
                        f'department window of "{w.department}" serves queue "{q.code}" of department '
                        f'"{q.department}"; only proxy windows (kind = "proxy") serve several departments'
                    )
    else:
        if w.department is not None:
            problems.append(f'a proxy window serves several departments; remove department = "{w.department}"')
        owners = sorted({q.department for q in known})
        if len(known) == len(w.queues) and len(owners) < 2:
            # Article 24: the comprehensive window gathers several departments' small items.
            problems.append(
                f"a proxy window serves queues of at least two departments, this one only of "
                f'"{"".join(owners)}"; make it kind = "department"'
            )
    return problems


def _tier_problems(tiers: Sequence[WarningTierIn]) -> list[str]:
    problems = []
    for i in range(1, len(tiers)):
        before, tier = tiers[i - 1], tiers[i]
        if tier.share_left >= before.share_left:
            problems.append(
                f"{_label('warning_tiers', i, tier.name)}: share_left = {tier.share_left} is not below "
                f'"{before.name}" ({before.share_left}); list tiers from the earliest warning to the latest'
            )
    if tiers and tiers[-1].share_left != 0:
        last = len(tiers) - 1
        problems.append(
            f"{_label('warning_tiers', last, tiers[-1].name)}: the last tier must have share_left = 0, "
            "so that an overdue case is always flagged (article 16)"
        )
    return problems


def _unknown(kind: str, code: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(code, list(known), n=1, cutoff=0.6)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return f'unknown {kind} "{code}"{hint}'
