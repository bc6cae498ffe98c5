"""Article 21's progress query by case number, for the public guide's page and the kiosk.

A visitor gives the case number and the last four characters of the applicant's ID number or
phone; the answer is the same masked progress view the slip's QR code opens (`cases.progress_page`)
and that page's URL. Every miss (no such number, or the wrong last four) is one answer, and each
is counted against the client's address and against the case number (server/core/progress_lookup.py)
and written to the audit log.

A kiosk is a registered device standing in the hall, used by one visitor after another: its
lookups are not counted against its address (it would refuse the whole hall after ten typos), only
against the case number, which bounds guessing whatever the source.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from server.core import progress_lookup as rules
from server.core.errors import DomainError
from server.core.throttle import Rule
from server.db import progress_repo
from server.db.handles import Connection
from server.db.uow import Actor

from . import cases
from .context import Services


class TooManyLookups(DomainError):
    """Too many failed queries: wait and try again."""

    kind = "too_many"
    code = "too_many_attempts"

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(
            f"查询失败次数过多，请 {retry_after_s} 秒后再试 / "
            f"too many failed queries; try again in {retry_after_s} s"
        )
        self.retry_after_s = retry_after_s


def _keys(address: str, number: str, device: str | None) -> list[tuple[str, str]]:
    keys = [("case", number)]
    if device is None:
        keys.append(("address", rules.address_key(address)))
    return keys


def _rules(keys: list[tuple[str, str]], policy: rules.Policy) -> list[Any]:
    return [policy.case if scope == "case" else policy.address for scope, _ in keys]


T = TypeVar("T")


def counted(svc: Services, actor: Actor, keys: list[tuple[str, str]], kept: list[Rule],
            attempt: Callable[[Connection], T | None], failure: tuple[str, str, dict[str, Any]]) -> T:
    """Run `attempt` under the failure counters `keys` (each kept by its rule in `kept`): the
    throttle machinery of every guessable lookup (this one, the kiosk's notice lookup).

    One write transaction does it all, so a burst of simultaneous guesses cannot all pass the check
    before any of them is counted: the counters are locked (row locks on PostgreSQL; SQLite's write
    lock serialises), a held counter refuses (`TooManyLookups`, decided before anything is read),
    the attempt is counted, and only then is it made. A success (not None) takes its count back,
    since only failures are counted; a miss keeps it and is audited as `failure` (action,
    subject, detail). Returns the success; a miss raises `Miss`."""
    with svc.write(actor) as uow:
        progress_repo.prune(uow.conn, uow.now - max([rules.DEFAULT.longest_memory, *(r.forget for r in kept)]))
        held = progress_repo.records(uow.conn, keys, lock=True)
        pairs = list(zip(held, kept, strict=True))
        wait = rules.retry_after(pairs, uow.now)
        if wait:
            svc.commit(uow)
            raise TooManyLookups(wait)
        progress_repo.save(uow.conn, keys, rules.failed(pairs, uow.now))
        found = attempt(uow.conn)
        if found is not None:
            progress_repo.save(uow.conn, keys, held)
        else:
            uow.audit(failure[0], failure[1], **failure[2])
        svc.commit(uow)
    if found is None:
        raise Miss()
    return found


class Miss(Exception):
    """`counted`'s attempt found nothing (counted and audited); the caller answers its own not-found."""


def lookup(svc: Services, number: object, last4: object, address: str, *, device: str | None = None,
           policy: rules.Policy = rules.DEFAULT) -> dict[str, Any]:
    """The progress view of the case `number` when `last4` ends its applicant's ID number or phone.
    `device`: the kiosk's name when a kiosk asks (not counted by address). Counted by `counted`:
    every attempt before it is compared, so parallel guesses get no more comparisons than allowed."""
    number_ = rules.normal_number(number)
    last4_ = rules.normal_last4(last4)
    keys = _keys(address, number_, device)

    def attempt(conn: Connection) -> str | None:
        found = progress_repo.secrets_of(conn, number_)
        ok = rules.matches(found.id_number if found else None, found.phone if found else None, last4_)
        return found.token if ok and found is not None else None

    try:
        token = counted(svc, Actor("anon", None, (device or address)[:64] or "anonymous"), keys,
                        _rules(keys, policy), attempt,
                        ("progress.lookup_failed", number_, {"address": address[:64], "device": device}))
    except Miss:
        raise rules.CaseNotMatched() from None
    page = cases.progress_page(svc, token)
    if page is None:
        raise rules.CaseNotMatched()
    return {"case": page, "progress_url": cases.progress_url(svc, token)}
