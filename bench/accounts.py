"""The bench's staff and devices: added through `hallq`, signed in, their windows opened."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from bench.plan import PASSWORD, log
from bench.servers import cli_ok
from tests.support.server_process import ServerProcess


def add_staff_and_devices(sp: ServerProcess, windows: list[str]) -> dict[str, str]:
    """A window user per window, with no department (they may sign in anywhere), a kiosk and a
    display, all through the `hallq` command line."""
    cli_ok(sp, "db", "upgrade")  # before the parallel adds, so they never race to migrate
    names = [f"bench-w{w.zfill(2)}" for w in windows]
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda n: cli_ok(sp, "user", "add", n, "--role", "window", stdin=PASSWORD + "\n"), names))
    keys = {}
    cli_ok(sp, "user", "add", "bench-manager", "--role", "manager", stdin=PASSWORD + "\n")
    for name, kind in (("bench-kiosk", "kiosk"), ("bench-display", "display")):
        keys[kind] = cli_ok(sp, "device", "add", name, "--kind", kind).strip().splitlines()[-1]
    return keys


def open_windows(urls: list[str], windows: list[str], db_url: str | None = None
                 ) -> tuple[dict[str, dict[str, str]], bool]:
    """Sign each bench user in and open its window; window i goes to urls[(i-1) % len].

    Returns the staff headers by window and whether tokens had to be minted in the database
    because sign-in itself failed (a server bug the report names, not something to hide)."""
    headers: dict[str, dict[str, str]] = {}
    minted = False
    for i, w in enumerate(windows):
        url = urls[i % len(urls)]
        username = f"bench-w{w.zfill(2)}"
        r = requests.post(f"{url}/api/v1/auth/login", json={"username": username, "password": PASSWORD}, timeout=30)
        if r.status_code >= 500 and db_url and db_url.startswith("postgresql"):
            token = mint_token(db_url, username)
            minted = True
        else:
            r.raise_for_status()
            token = r.json()["token"]
        h = {"Authorization": f"Bearer {token}"}
        requests.post(f"{url}/api/v1/windows/{w}/open", headers=h, timeout=30).raise_for_status()
        headers[w] = h
    if minted:
        log("WARNING: POST /api/v1/auth/login answered 500 on PostgreSQL; tokens were minted in the database")
    return headers, minted


def mint_token(db_url: str, username: str) -> str:
    """A bearer token written the way server.app.accounts.login writes one (SHA-256 of 256 bits)."""
    import hashlib
    import secrets

    import psycopg

    token = secrets.token_urlsafe(32)
    with psycopg.connect(db_url) as conn:
        conn.execute(
            "INSERT INTO tokens (hash, user_id, created_at, expires_at) "
            "SELECT %s, id, now(), now() + interval '12 hours' FROM users WHERE username = %s",
            (hashlib.sha256(token.encode()).hexdigest(), username),
        )
    return token
