"""Schemathesis against a real `hallq serve`, from the OpenAPI document it serves, on SQLite and on
PostgreSQL: no answer is a 5xx, and every answer has a status and a body the document declares.

The hall is made lively first (two windows open, tickets waiting, one called, a case opened), and
half the generated requests name those real windows, tickets and cases, so the authorised paths
run and not only the 404s. Every request carries a manager's bearer token and a kiosk's device
key (the case routes: the token alone, or the approval platform's key), so each operation is
tried as a caller who may do it. Bounded: a few examples per operation and mode, and a time
budget per database; HALLQ_FUZZ_SEED and HALLQ_FUZZ_EXAMPLES explore further by hand.
"""

from __future__ import annotations

import os
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

from tests.support.server_process import ServerProcess
from tests.support.services import pg_url  # noqa: F401 - fixture

pytestmark = pytest.mark.slow

PASSWORD = "fuzz-password-1"
SEED = int(os.environ.get("HALLQ_FUZZ_SEED", "20261205"))
EXAMPLES = int(os.environ.get("HALLQ_FUZZ_EXAMPLES", "15"))
BUDGET_S = float(os.environ.get("HALLQ_FUZZ_BUDGET_S", "75"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
HTTP_TIMEOUT = 30


def prepare(db_url: str) -> dict[str, Any]:
    """A manager, a kiosk with a printer and the approval platform, straight into the database."""
    from server.app import accounts
    from server.app.context import Services
    from server.db.engine import make_engine
    from server.db.migrate import upgrade
    from server.hallconfig import DEFAULT_CONFIG, load_hall

    engine = make_engine(db_url)
    try:
        upgrade(engine)
        svc = Services(hall=load_hall(DEFAULT_CONFIG), engine=engine)
        accounts.add_user(svc, "fuzz-manager", PASSWORD, "manager")
        accounts.add_user(svc, "fuzz-clerk", PASSWORD, "manager")  # one person, one window: a second for window 4
        return {
            "spare_tokens": mint_tokens(svc, "fuzz-manager", LOGOUTS),
            "kiosk": accounts.add_device(svc, "fuzz-kiosk", "kiosk", printer="dummy://fuzz-kiosk"),
            "platform": accounts.add_device(svc, "fuzz-platform", "platform"),
        }
    finally:
        engine.dispose()


# Tokens for the logout operation, minted before the fuzzing starts: signing in for each logout
# would meet the sign-in throttle, which the fuzzing's own wrong passwords have set off by then.
LOGOUTS = 4 * EXAMPLES + 10


def mint_tokens(svc: Any, username: str, n: int) -> list[str]:
    from server.app import accounts
    from server.db import accounts_repo
    from server.db.uow import Actor

    tokens = [secrets.token_urlsafe(32) for _ in range(n)]
    with svc.write(Actor("system", None, "fuzz")) as uow:
        user = accounts_repo.user_row(uow.conn, username)
        for token in tokens:
            accounts_repo.add_token(uow.conn, accounts.digest(token), user.id, uow.now, uow.now + accounts.TOKEN_TTL)
        svc.commit(uow)
    return tokens


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request, tmp_path: Path) -> Iterator[ServerProcess]:
    db_url = (f"sqlite:///{tmp_path / 'hall' / 'hallq.db'}" if request.param == "sqlite"
              else request.getfixturevalue("pg_url"))
    (tmp_path / "hall").mkdir()
    srv = ServerProcess(tmp_path / "hall", db_url=db_url, extra_args=["--no-speech"])
    srv.credentials = prepare(db_url)
    srv.start(timeout=60)
    try:
        yield srv
    finally:
        srv.stop()
        srv.kill()


class Hall:
    """The live hall the fuzzing runs against, and the real ids it can name."""

    def __init__(self, srv: ServerProcess) -> None:
        self.url = srv.url
        self.kiosk, self.platform = srv.credentials["kiosk"], srv.credentials["platform"]
        self.spare_tokens = list(srv.credentials["spare_tokens"])
        self.bearer = self.login()
        self.clerk = self.login("fuzz-clerk")

    def request(self, method: str, path: str, **kw: Any) -> requests.Response:
        return requests.request(method, f"{self.url}/api/v1{path}", timeout=HTTP_TIMEOUT, **kw)

    def login(self, username: str = "fuzz-manager") -> str:
        r = self.request("POST", "/auth/login", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return f"Bearer {r.json()['token']}"

    def liven(self) -> dict[str, Any]:
        staff = {"Authorization": self.bearer}
        clerk = {"Authorization": self.clerk}
        assert self.request("POST", "/windows/1/open", headers=staff).status_code == 200
        assert self.request("POST", "/windows/4/open", headers=clerk).status_code == 200
        tickets = []
        for _ in range(6):
            r = self.request("POST", "/tickets", headers={"X-Device-Key": self.kiosk}, json={"item": "SCJG-001"})
            assert r.status_code == 201, r.text
            tickets.append(r.json()["ticket"])
        assert self.request("POST", "/windows/1/call-next", headers=staff).status_code == 200
        assert self.request("POST", "/windows/1/start", headers=staff).status_code == 200
        applicant = {"name": "王五", "id_number": valid_id_number(), "phone": "13800000000"}
        r = self.request("POST", "/windows/1/finish", headers=staff,
                         json={"outcome": "accepted", "applicant": applicant})
        assert r.status_code == 200, r.text
        case = r.json()["case"]
        assert self.request("POST", "/windows/4/call-next", headers=clerk).status_code == 200
        numbers = [t["number"] for t in tickets]
        return {
            "window": ["1", "4"],
            "id": [t["id"] for t in tickets[:3]],
            "number": [case["number"]],
            "token": [case["progress_url"].rsplit("/", 1)[1]],
            # Bodies that name real things, so the handlers get past their look-ups.
            "POST /api/v1/tickets": [{"item": "SCJG-001"}, {"queue": "A", "priority": "green",
                                                            "green_reason": "elderly"}],
            "POST /api/v1/windows/{window}/call-number": [{"number": n} for n in numbers],
            "POST /api/v1/windows/{window}/resume-ticket": [{"number": n} for n in numbers],
            "POST /api/v1/windows/{window}/transfer": [{"queue": "B"}, {"window": "4"}, {"queue": "A", "window": "1"}],
            "POST /api/v1/windows/{window}/hand-over": [{"username": "fuzz-manager"}],
            "POST /api/v1/windows/{window}/finish": [{"outcome": "consulted"}, {}],
            "POST /api/v1/windows/{window}/pause": [{"reason": "午休 lunch"}],
            "POST /api/v1/cases/{number}/transition": [{"to": "in_review"}, {"to": "decided_denied", "note": "不符",
                                                                                 "legal_basis": "某法第一条"}],
            "POST /api/v1/tickets/{id}/reprint": [{"window": "1"}, {}],
            "POST /api/v1/auth/login": [{"username": "fuzz-manager", "password": PASSWORD}],
        }

    def headers_for(self, path: str, draw: Callable[[st.SearchStrategy], Any]) -> dict[str, str]:
        if path.startswith("/api/v1/cases") and path != "/api/v1/cases/warnings":
            # A device key makes the case routes ask for the platform; without one, the token counts.
            return draw(st.sampled_from([{"Authorization": self.bearer}, {"X-Device-Key": self.platform}]))
        if path.startswith("/api/v1/windows/"):
            # Window 1's staff or window 4's: each acts at its own window, and is refused at the other.
            bearer = draw(st.sampled_from([self.bearer, self.clerk]))
            return {"Authorization": bearer, "X-Device-Key": self.kiosk}
        if path == "/api/v1/auth/logout":
            # Never sign the fuzzing's own token out.
            return {"Authorization": f"Bearer {self.spare_tokens.pop()}" if self.spare_tokens else self.login()}
        return {"Authorization": self.bearer, "X-Device-Key": self.kiosk}


def valid_id_number() -> str:
    from server.core.idnumber import check_character

    first17 = "11010519491231002"
    return first17 + check_character(first17)


def strategy(op: Any, mode: GenerationMode, known: dict[str, Any]) -> st.SearchStrategy:
    """Generated cases; in the positive mode half of them name the hall's real ids and bodies."""
    free = op.as_strategy(generation_mode=mode)
    names = [p.name for p in op.path_parameters]
    bodies = known.get(op.label)
    if mode is not GenerationMode.POSITIVE or not (names or bodies) or not all(n in known for n in names):
        return free
    real = st.fixed_dictionaries({
        "path_parameters": st.fixed_dictionaries({n: st.sampled_from(known[n]) for n in names}),
        **({"body": st.sampled_from(bodies)} if bodies else {}),
    }).flatmap(lambda fixed: op.as_strategy(generation_mode=mode, **fixed))
    return st.one_of(real, free)


def fuzz(op: Any, mode: GenerationMode, hall: Hall, known: dict[str, Any], answers: Counter) -> int:
    sent = 0

    @seed(SEED)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    @given(case=strategy(op, mode, known), data=st.data())
    def run(case: Any, data: st.DataObject) -> None:
        nonlocal sent
        sent += 1
        response = case.call_and_validate(base_url=hall.url, headers=hall.headers_for(op.path, data.draw),
                                          checks=CHECKS, timeout=HTTP_TIMEOUT)
        answers[response.status_code] += 1

    run()
    return sent


def test_the_served_openapi_holds_for_every_generated_request(server: ServerProcess) -> None:
    hall = Hall(server)
    known = hall.liven()
    generation: dict[str, Any] = {}
    schema = schemathesis.openapi.from_url(f"{server.url}/api/v1/openapi.json", timeout=HTTP_TIMEOUT,
                                           config=schemathesis.Config.from_dict({"generation": generation}))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 29
    started, failures, sent, skipped = time.monotonic(), [], 0, []
    answers: dict[str, Counter] = {}
    # Positive first, for every operation; the negative mode fills the rest of the budget.
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for op in operations:
            if mode is GenerationMode.NEGATIVE and time.monotonic() - started > BUDGET_S:
                skipped.append(f"{mode.value} {op.label}")
                continue
            try:
                sent += fuzz(op, mode, hall, known, answers.setdefault(op.label, Counter()))
            except Unsatisfiable:
                pass  # nothing to break: no parameters and no body (GET /catalog, negative mode)
            except (Exception, FailureGroup) as exc:  # noqa: BLE001 - every operation's failures, reported together
                failures.append(f"--- {mode.value} {op.label}\n{exc}")
    elapsed = time.monotonic() - started
    print(f"schemathesis: {sent} requests over {len(operations)} operations in {elapsed:.0f} s"
          + (f"; budget reached, not run: {', '.join(skipped)}" if skipped else ""))
    for label, counted in answers.items():
        print(f"  {label}: {dict(sorted(counted.items()))}")
    assert not failures, f"{len(failures)} operations answered outside the document:\n" + "\n".join(failures)
    assert server.proc is not None and server.proc.poll() is None, server.log_text()
