"""What each kind of document says about a case: the fields its layout (printers/legal_docs.py) is
built from, as JSON values, so the registry keeps them and a reprint builds the same paper.

`fields(svc, stored, kind, extra)` gives the kind's own fields; `documents.issue` adds the common
ones (number, department, seal, verification code, ...). The kinds clock14's clock calls take
their values from `extra` (see `documents.issue`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from server.core import cases as core
from server.core.case_clock import acceptance_day
from server.core.hall import Hall, Item
from server.db.cases_repo import StoredCase

from .context import Services


def material_lines(item: Item | None, codes: tuple[str, ...] | list[str]) -> list[str]:
    lines = []
    for code in codes:
        m = item.material(code) if item else None
        if m is None:
            lines.append(code)
            continue
        extra = "；".join(x for x in (m.copies, m.note) if x)
        lines.append(f"{m.name}（{extra}）" if extra else m.name)
    return lines


def _day(value: Any, key: str) -> str:
    """A date of `extra` as the registry keeps it (ISO); a clear error when it is none."""
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValueError(f"extra[{key!r}] must be a date, not {value!r}") from None


def _require(extra: Mapping[str, Any], kind: str, *keys: str) -> None:
    missing = [k for k in keys if not str(extra.get(k) or "").strip()]
    if missing:
        raise ValueError(f"a {kind} document needs extra {', '.join(missing)}")


Context = tuple[Services, StoredCase, Item | None, Mapping[str, Any]]


def _acceptance(c: Context) -> dict[str, Any]:
    svc, stored, item, extra = c
    case = stored.case
    from .cases import progress_url  # cases prints through documents, which imports this module

    return {
        "materials": material_lines(item, case.materials),
        # A received case (收件) is accepted later: the day its history says (the receipt day when
        # deemed accepted), the same the progress page shows.
        "accepted_on": _day(extra.get("accepted_on") or acceptance_day(case, ZoneInfo(svc.hall.timezone)),
                            "accepted_on"),
        "promised_on": (case.promised or case.accepted_on).isoformat(),
        "progress_url": progress_url(svc, stored.token),
    }


def _notice(c: Context) -> dict[str, Any]:
    _svc, stored, item, extra = c
    return {
        "missing": material_lines(item, stored.case.missing),
        # A notice answering a receipt explains itself by the answer's note (as the progress page's
        # reason), not by the receipt visit's.
        "note": str(extra["note"]) if "note" in extra else stored.note,
        "contact": item.guide.contact if item else "",
    }


def _refusal(c: Context) -> dict[str, Any]:
    _svc, stored, _item, extra = c
    return {
        "applied_on": stored.case.accepted_on.isoformat(),
        "reason": stored.case.reason,
        "legal_basis": str(extra.get("legal_basis") or ""),
    }


def _approval(c: Context) -> dict[str, Any]:
    _svc, stored, item, extra = c
    return {
        "accepted_on": stored.case.accepted_on.isoformat(),
        "legal_basis": str(extra.get("legal_basis") or (item.guide.legal_basis if item else "")),
        "note": str(extra.get("note") or ""),
    }


def _denial(c: Context) -> dict[str, Any]:
    _svc, stored, _item, extra = c
    _require(extra, "denial", "legal_basis")
    return {
        "accepted_on": stored.case.accepted_on.isoformat(),
        "reason": str(extra.get("reason") or stored.case.reason),
        "legal_basis": str(extra["legal_basis"]),
    }


def _received(c: Context) -> dict[str, Any]:
    _svc, stored, item, extra = c
    _require(extra, "received", "due_on")
    return {
        "materials": material_lines(item, list(extra.get("materials") or stored.case.materials)),
        "received_on": _day(extra.get("received_on") or stored.case.accepted_on, "received_on"),
        "due_on": _day(extra["due_on"], "due_on"),
    }


def _extension(c: Context) -> dict[str, Any]:
    _svc, _stored, _item, extra = c
    _require(extra, "extension", "previous_promised", "promised", "reason", "legal_basis", "approved_by")
    return {
        "previous_promised": _day(extra["previous_promised"], "previous_promised"),
        "promised": _day(extra["promised"], "promised"),
        "reason": str(extra["reason"]),
        "legal_basis": str(extra["legal_basis"]),
        "approved_by": str(extra["approved_by"]),
    }


def _suspension(c: Context) -> dict[str, Any]:
    _svc, stored, _item, extra = c
    _require(extra, "suspension", "procedure", "reason", "started_on")
    out = {
        # Only an accepted application has an acceptance number (受理编号).
        "number_label": "受理编号" if core.number_kind(stored.case) is core.NumberKind.ACCEPTANCE else "登记编号",
        "procedure": str(extra["procedure"]),
        "reason": str(extra["reason"]),
        "legal_basis": str(extra.get("legal_basis") or ""),
        "started_on": _day(extra["started_on"], "started_on"),
    }
    if extra.get("resumed_on"):
        _require(extra, "suspension", "promised")
        out["resumed_on"] = _day(extra["resumed_on"], "resumed_on")
        out["promised"] = _day(extra["promised"], "promised")
    return out


# One line per kind (the layouts' own map is printers.legal_docs.BODIES).
FIELDS: dict[str, Callable[[Context], dict[str, Any]]] = {
    "acceptance": _acceptance,
    "concluded": _acceptance,
    "notice": _notice,
    "refusal": _refusal,
    "approval": _approval,
    "denial": _denial,
    "received": _received,
    "extension": _extension,
    "suspension": _suspension,
}

# Which kind of paper a case's outcome prints at the window (server/app/acceptance.py).
OUTCOME_KIND: dict[core.Outcome, str] = {
    core.Outcome.ACCEPTED: "acceptance",
    core.Outcome.NOTICE: "notice",
    core.Outcome.REFUSED: "refusal",
    core.Outcome.CONCLUDED: "concluded",
    core.Outcome.RECEIVED: "received",
}

# Which decision a transition prints (server/app/cases.py).
STATUS_KIND: dict[core.Status, str] = {
    core.Status.DECIDED_APPROVED: "approval",
    core.Status.DECIDED_DENIED: "denial",
}


def fields(svc: Services, stored: StoredCase, kind: str, extra: Mapping[str, Any], hall: Hall) -> dict[str, Any]:
    """The kind's fields; the item's materials as `hall` (the hall as allocated now: the guide in
    force, with the materials an admin added or renamed) gives them."""
    item = hall.item(stored.case.item)
    return FIELDS[kind]((svc, stored, item, extra))
