"""Staff sign-in, bearer tokens and device keys.

Passwords: argon2id. Tokens and device keys: 256 random bits, stored as SHA-256 digests, with an
expiry (tokens) and revocation (both). Failed sign-ins are counted per client address and per
name (server.core.throttle): an address that keeps failing is refused for a while, a name that
keeps failing is answered more slowly, and nothing tells whether a name exists.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.core import throttle
from server.core.errors import DomainError, Forbidden, Invalid, NotFound
from server.core.hall import Hall
from server.core.windows import Role, Staff, may_staff
from server.db import accounts_repo
from server.db.uow import SYSTEM, Actor

from .context import Services
from .rooms import device_room, end_sessions, staff_room, token_room

TOKEN_TTL = timedelta(hours=12)
TOKEN_CACHE_S = 5.0
TOKEN_CACHE_MAX = 10_000
# A `rater` is a window's rating pad (好差评); its settings name the window: {"window": "3"}.
DEVICE_KINDS = ("kiosk", "display", "agent", "platform", "rater")

_hasher = PasswordHasher()
# A hall's code as a hall file's `[hall] code` allows it (hallconfig's check_code), at most the column's 32.
_HALL_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")


@cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so both answers take as long. Made on first
    use, not at import: every `hallq` command imports this module."""
    return _hasher.hash("hallq-no-such-user")


class Unauthorized(DomainError):
    """Missing or invalid credentials."""

    kind = "unauthorized"
    code = "unauthorized"


class TooManyAttempts(DomainError):
    """Too many failed sign-ins from this address; wait and try again."""

    kind = "too_many"
    code = "too_many_attempts"

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(
            f"登录失败次数过多，请 {retry_after_s} 秒后再试 / "
            f"too many failed sign-ins from this address; try again in {retry_after_s} s"
        )
        self.retry_after_s = retry_after_s


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def add_user(
    svc: Services, username: str, password: str, role: str, department: str | None = None,
    display_name: str = "", staff_no: str = "", *, actor: Actor = SYSTEM, hall: str | None = None,
    all_halls: bool = False,
) -> int:
    """A new account of `hall` (this hall when not given), or of the whole installation with
    `all_halls` (a city's manager or admin: every hall's connections know it). Usernames are
    unique over the installation."""
    if all_halls and hall is not None:
        raise Invalid("an account is of one hall or of all halls, not both")
    if hall is not None and not _HALL_CODE.fullmatch(hall):
        raise Invalid(f"hall {hall!r}: a hall code is 1-32 letters, digits, '-' or '_'")
    hall_code = None if all_halls else (hall or svc.hall.code)
    if not username or len(username) > 64 or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise Invalid(f"username {username!r}: use letters, digits, '.', '-' or '_' (at most 64)")
    if len(password) < 8:
        raise Invalid("the password must have at least 8 characters")
    try:
        role_value = Role(role)
    except ValueError:
        raise Invalid(f"unknown role {role!r}; use one of {', '.join(r.value for r in Role)}") from None
    if department is not None and svc.hall.department(department) is None:
        raise NotFound(f"unknown department {department!r}; see the hall config's departments")
    if role_value is Role.CHIEF and department is None:
        raise Invalid("a chief representative (article 15) needs --department")
    with svc.write(actor) as uow:
        if accounts_repo.username_taken(uow.conn, username):
            raise Invalid(f"user {username!r} exists already")
        uid = accounts_repo.add_user(
            uow.conn, hall=hall_code, username=username, password_hash=_hasher.hash(password), role=role_value.value,
            department=department, display_name=display_name or username, staff_no=staff_no, created_at=uow.now,
        )
        # An account of another hall, or of all of them (hall None), says so.
        uow.audit("user.add", username, role=role_value.value, department=department,
                  **({"hall": hall_code} if hall_code != svc.hall.code else {}))
        svc.commit(uow)
    return uid


def _user(uow: Any, username: str) -> Any:
    row = accounts_repo.user_row(uow.conn, username)
    if row is None:
        raise NotFound(f"no user named {username!r}; see hallq user list")
    return row


def _revoke_tokens(svc: Services, uow: Any, user_id: int) -> int:
    digests = accounts_repo.revoke_user_tokens(uow.conn, user_id, uow.now)
    for key in digests:
        svc.token_cache.pop(key, None)
    return len(digests)


def unlock_user(svc: Services, username: str, *, actor: Actor = SYSTEM) -> None:
    """Forget the failed sign-ins counted against a name, from every address."""
    with svc.write(actor) as uow:
        _user(uow, username)
        accounts_repo.clear_throttle(uow.conn, username)
        uow.audit("user.unlock", username)
        svc.commit(uow)


def set_disabled(svc: Services, username: str, disabled: bool = True, *, actor: Actor = SYSTEM) -> int:
    """A disabled user cannot sign in (the answer is the wrong-password one), every token they
    hold is revoked and their live connections are dropped now. Returns how many tokens were revoked."""
    with svc.write(actor) as uow:
        row = _user(uow, username)
        accounts_repo.update_user(uow.conn, row.id, active=not disabled)
        revoked = _revoke_tokens(svc, uow, row.id) if disabled else 0
        if disabled:
            end_sessions(uow, staff_room(row.id), "disabled", "账号已停用 The account was disabled")
        uow.audit("user.disable" if disabled else "user.enable", username, tokens_revoked=revoked)
        svc.commit(uow)
    return revoked


def reset_password(svc: Services, username: str, password: str, *, actor: Actor = SYSTEM) -> int:
    """A new password; every token of the user is revoked, their live connections dropped and
    their failure counters forgotten."""
    if len(password) < 8:
        raise Invalid("the password must have at least 8 characters")
    hashed = _hasher.hash(password)
    with svc.write(actor) as uow:
        row = _user(uow, username)
        accounts_repo.update_user(uow.conn, row.id, password_hash=hashed)
        revoked = _revoke_tokens(svc, uow, row.id)
        end_sessions(uow, staff_room(row.id), "password_reset",
                     "密码已重置，请重新登录 The password was reset; sign in again")
        accounts_repo.clear_throttle(uow.conn, username)
        uow.audit("user.reset_password", username, tokens_revoked=revoked)
        svc.commit(uow)
    return revoked


def list_users(svc: Services) -> list[dict[str, Any]]:
    with svc.read() as uow:
        now = uow.now
        rows = accounts_repo.list_users(uow.conn)
    out = []
    for r in rows:
        counter = throttle.current(throttle.Record(r.failures or 0, r.last_failure, r.next_allowed),
                                   throttle.DEFAULT.account, now)
        slowed = counter.next_allowed if counter.next_allowed and counter.next_allowed > now else None
        out.append({
            "username": r.username, "name": r.display_name or r.username, "staff_no": r.staff_no,
            "role": r.role, "department": r.department, "hall": r.hall, "disabled": not r.active,
            "failures": counter.failures, "slowed_until": slowed, "last_login": r.last_login,
        })
    return out


def login(
    svc: Services, username: str, password: str, address: str = "", *, sleep: Callable[[float], None] = time.sleep,
    policy: throttle.Policy = throttle.DEFAULT,
) -> dict[str, Any]:
    """Sign in from a client `address`. Every answer is one of three, whoever the name belongs to:
    a token; 401 "wrong username or password" (an unknown name, a wrong password and a disabled
    account alike, each after one argon2 verify); 429 with a wait, decided from the failure
    counters of the address and of the name, which are kept for unknown names as for real ones."""
    address = address[:64]
    with svc.read() as uow:
        now = uow.now
        at_address, at_pair, at_account = accounts_repo.throttle_records(uow.conn, address, username)
        decision = throttle.decide(at_address, at_pair, at_account, now, policy)
        row = None if decision.refused else accounts_repo.user_row(uow.conn, username)
    if decision.refused:
        # Decided before the users table is read, so no name answers differently; and no argon2
        # here, or a refused client could still make the server hash at will.
        raise TooManyAttempts(retry_after_s=decision.retry_after_s or 1)
    if decision.delay:
        sleep(decision.delay.total_seconds())
    # Outside any transaction: argon2 takes a good fraction of a second, the database must not wait on it.
    ok = _verify(row.password_hash if row else _dummy_hash(), password) and row is not None and row.active
    # Not yet anyone: the kind fits event_log.actor_kind (8 characters; PostgreSQL enforces it).
    with svc.write(Actor("anon", None, username[:64])) as uow:
        now = uow.now
        if not ok:
            _count_failure(uow.conn, address, username, now, policy)
            uow.audit("auth.failed", username, address=address)
            svc.commit(uow)
            raise Unauthorized("用户名或密码错误 / wrong username or password")
        assert row is not None  # `ok` holds only for a real, active account
        token = secrets.token_urlsafe(32)
        expires = now + TOKEN_TTL
        accounts_repo.add_token(uow.conn, digest(token), row.id, now, expires)
        accounts_repo.clear_throttle(uow.conn, username, address)
        uow.audit("auth.login", username, address=address)
        svc.commit(uow)
        staff = accounts_repo.to_staff(row)
    return {"token": token, "expires_at": expires.isoformat(timespec="seconds"), "user": staff_json(staff)}


def _count_failure(conn: Any, address: str, username: str, now: datetime, policy: throttle.Policy) -> None:
    forget = max(policy.address.forget, policy.pair.forget, policy.account.forget)
    accounts_repo.prune_throttle(conn, now - forget)
    records = accounts_repo.throttle_records(conn, address, username, lock=True)
    rules = (policy.address, policy.pair, policy.account)
    accounts_repo.save_throttle(
        conn, address, username, [throttle.after_failure(r, rule, now) for r, rule in zip(records, rules, strict=True)]
    )


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def logout(svc: Services, token: str) -> None:
    svc.token_cache.pop(digest(token), None)
    with svc.write(SYSTEM) as uow:
        accounts_repo.revoke_token(uow.conn, digest(token), uow.now)
        uow.audit("auth.logout", "")
        end_sessions(uow, token_room(digest(token)), "signed_out", "已退出登录 Signed out")
        svc.commit(uow)


def staff_for_token(svc: Services, token: str | None) -> Staff | None:
    """Who a bearer token belongs to. Remembered for a few seconds: every click at a window
    carries the token, and a database round trip per click for the same answer is waste. A
    logout here forgets it at once; one in another process takes effect within TOKEN_CACHE_S."""
    if not token:
        return None
    key, now = digest(token), svc.clock()
    cached = svc.token_cache.get(key)
    # The hall it was read for, too: a token good in one hall is not in another, were a cache ever shared.
    if cached and cached[1] > now and time.monotonic() - cached[2] < TOKEN_CACHE_S and cached[3] == svc.hall.code:
        return cached[0]
    with svc.read() as uow:
        found = accounts_repo.staff_for_token(uow.conn, key, uow.now)
    if found is None:
        svc.token_cache.pop(key, None)
        return None
    if len(svc.token_cache) > TOKEN_CACHE_MAX:
        svc.token_cache.clear()
    svc.token_cache[key] = (found[0], found[1], time.monotonic(), svc.hall.code)
    return found[0]


def device_for_key(svc: Services, key: str | None) -> dict[str, Any] | None:
    if not key:
        return None
    with svc.read() as uow:
        row = accounts_repo.device_by_key(uow.conn, digest(key))
        return device_json(row) if row else None


def kiosk_for_key(conn: Any, key: str) -> dict[str, Any]:
    """The kiosk a key belongs to, read in the caller's transaction; 401/403 otherwise."""
    return kiosk_of(accounts_repo.device_by_key(conn, digest(key)) if key else None)


def kiosk_query(conn: Any, key: str) -> tuple[Any, dict[str, Any]]:
    """`kiosk_for_key`'s read, for a change that sends it with its others (server/db/batch.py)."""
    return accounts_repo.device_by_key_query(conn, digest(key))


def kiosk_of(row: Any) -> dict[str, Any]:
    """The kiosk of a device row read by its key (None: no live device has it); 401/403 otherwise."""
    if row is None:
        raise Unauthorized("unknown or revoked device key")
    if row.kind != "kiosk":
        raise Forbidden(f"a {row.kind} device may not do this; it needs a kiosk")
    return device_json(row)


def add_device(svc: Services, name: str, kind: str, printer: str | None = None,
               settings: dict | None = None, *, actor: Actor = SYSTEM) -> str:
    if kind not in DEVICE_KINDS:
        raise Invalid(f"unknown device kind {kind!r}; use one of {', '.join(DEVICE_KINDS)}")
    if not name or len(name) > 64:
        raise Invalid("a device needs a name of at most 64 characters")
    if kind == "rater":
        window = str((settings or {}).get("window", ""))
        if svc.hall.window(window) is None:
            raise Invalid(f"a rating pad is paired to one window: --settings '{{\"window\": \"1\"}}' naming a window "
                          f"of the hall config, not {window!r}", where="settings.window")
        settings = {**(settings or {}), "window": window}
    key = secrets.token_urlsafe(32)
    with svc.write(actor) as uow:
        if accounts_repo.device_name_taken(uow.conn, name):
            raise Invalid(f"device {name!r} exists already; revoke it first to re-pair")
        accounts_repo.add_device(
            uow.conn, name=name, kind=kind, key_hash=digest(key), printer=printer, settings=settings or {},
            created_at=uow.now,
        )
        uow.audit("device.add", name, kind=kind, printer=printer)
        svc.commit(uow)
    return key


def revoke_device(svc: Services, name: str, *, actor: Actor = SYSTEM) -> None:
    with svc.write(actor) as uow:
        row = accounts_repo.device_by_name(uow.conn, name)
        if row is None:
            raise NotFound(f"no device named {name!r}")
        if row.revoked_at is None:
            # A fresh random digest frees the name's key for good and lets it be paired again.
            accounts_repo.update_device(uow.conn, row.id, revoked_at=uow.now, name=f"{name}~revoked~{row.id}")
            end_sessions(uow, device_room(row.id), "revoked", "设备密钥已吊销 The device key was revoked")
        uow.audit("device.revoke", name)
        svc.commit(uow)


def staff_json(s: Staff) -> dict[str, Any]:
    return {
        "id": s.id, "username": s.username, "role": s.role.value, "department": s.department,
        "name": s.display_name or s.username, "staff_no": s.staff_no, "hall": s.hall,
    }


def device_json(row: Any) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "kind": row.kind, "printer": row.printer, "settings": row.settings or {}}


def windows_for(hall: Hall, staff: Staff) -> list[str]:
    return [w.id for w in hall.windows if may_staff(w, staff)]
