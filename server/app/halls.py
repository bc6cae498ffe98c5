"""The halls one process serves (issue 16): its home hall, and with `serve --all-halls` every hall
file of the installation (the `halls/` folder beside the home hall's file, as the city board reads).

Each hall served has its own services, publisher and print spooler, on the one database and the one
Socket.IO server; what a request or a connection is for is chosen by the transport (server/web/
hall_scope.py): the `/h/CODE/` prefix, `?hall=CODE`, or else the hall of its credential, which is
looked up here, once per credential and remembered for a while: a device or an account never moves
between halls, and a revoked one is refused by its hall's own check anyway.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from server.core.hall import Hall
from server.db import accounts_repo
from server.hallconfig import HallConfigError, load_hall

from .accounts import digest
from .city_board import hall_files
from .context import Services
from .print_spooler import PrintSpooler
from .publisher import Publisher

# A credential's hall is looked up again after this long (an account moved to another hall).
CREDENTIAL_HALL_S = 60.0
CREDENTIAL_HALL_MAX = 20_000


def installation_halls(home: Hall, config: Path) -> list[Hall]:
    """The home hall and every other hall file of the installation, each read and checked; a file
    that cannot be read stops the start with its problem, as the home hall's own would. Two halls
    whose codes differ only in case are refused: their case numbers would read the same."""
    halls = [home]
    for path in hall_files(config):
        hall = load_hall(path)
        if hall.code == home.code:
            continue  # the home hall's own file under another name
        clash = next((h for h in halls if h.code.upper() == hall.code.upper()), None)
        if clash is not None:
            raise HallConfigError(str(path), [f"[hall] code {hall.code!r} is already {clash.name}'s ({clash.code!r}): "
                                              "hall codes must differ in more than case"])
        halls.append(hall)
    return halls


@dataclass
class Served:
    """One hall as this process serves it: its services, and the parts that send its events and
    print its jobs (server/bootstrap.py builds them)."""

    services: Services
    publisher: Publisher
    spooler: PrintSpooler


class HallSet:
    """The halls of this process by code, the home hall first."""

    def __init__(self, halls: list[Served]) -> None:
        if not halls:
            raise ValueError("a process serves at least its home hall")
        self._halls = {s.services.hall.code: s for s in halls}
        self.home = halls[0]
        self._credentials: dict[str, tuple[str | None, float]] = {}
        self._lock = threading.Lock()

    def __iter__(self) -> Iterator[Served]:
        return iter(self._halls.values())

    def __len__(self) -> int:
        return len(self._halls)

    def get(self, code: str) -> Served | None:
        return self._halls.get(code)

    @property
    def codes(self) -> list[str]:
        return list(self._halls)

    def of_device_key(self, key: str | None) -> Served:
        """The hall of a device key's device; the home hall for no key or an unknown one (which the
        home hall then refuses as it always has)."""
        if not key or len(self._halls) == 1:
            return self.home
        return self._by_code(self._credential("key", digest(key)))

    def of_token(self, token: str | None) -> Served:
        """The hall of a bearer token's account; the home hall for an account of the whole
        installation (it picks another with the prefix or `?hall=`), no token or an unknown one."""
        if not token or len(self._halls) == 1:
            return self.home
        return self._by_code(self._credential("token", digest(token)))

    def hall_of(self, kind: str, secret: str) -> str | None:
        """The code of the hall a device key (`kind` "key") or a bearer token ("token") belongs
        to; None for an unknown one, or an account of the whole installation."""
        return self._credential(kind, digest(secret)) if secret else None

    def forget(self, token_digest: str) -> None:
        """A token ended: the next request with it goes through its hall's own refusal at once."""
        with self._lock:
            self._credentials.pop("token:" + token_digest, None)
        for served in self:
            served.services.token_cache.pop(token_digest, None)

    def _by_code(self, code: str | None) -> Served:
        return self._halls.get(code or "", self.home)

    def _credential(self, kind: str, secret_digest: str) -> str | None:
        key = f"{kind}:{secret_digest}"
        hit = self._credentials.get(key)
        if hit is not None and time.monotonic() - hit[1] < CREDENTIAL_HALL_S:
            return hit[0]
        with self.home.services.read() as uow:
            if kind == "key":
                code = accounts_repo.hall_of_device_key(uow.conn, secret_digest)
            else:
                code = accounts_repo.hall_of_token(uow.conn, secret_digest)
        with self._lock:
            if len(self._credentials) > CREDENTIAL_HALL_MAX:
                self._credentials.clear()
            self._credentials[key] = (code, time.monotonic())
        return code
