"""What a run drives beside HallQ's servers (tests/support/server_process.py): the bare app's
processes, the `hallq` command line, and the PostgreSQL server holding the run's database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support.server_process import REPO, ServerProcess, free_port


class BareApp:
    def __init__(self, work: Path, db_url: str, message_queue: str | None = None) -> None:
        self.port = free_port()
        self.db_url = db_url
        self.message_queue = message_queue
        self.log_path = work / f"bare-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc else 0

    def start(self) -> BareApp:
        args = [sys.executable, "-m", "bench.bare_app", "--port", str(self.port), "--db", self.db_url]
        if self.message_queue:
            args += ["--message-queue", self.message_queue]
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(args, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                         env={**os.environ, "PYTHONUNBUFFERED": "1"})
        _wait_healthy(self.url, self.proc, self.log_path)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def _wait_healthy(url: str, proc: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            if requests.get(url + "/healthz", timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def cli_ok(sp: ServerProcess, *args: str, stdin: str | None = None) -> str:
    out = sp.cli(*args, stdin=stdin)
    if out.returncode != 0:
        raise RuntimeError(f"hallq {' '.join(args)} failed: {out.stderr}")
    return out.stdout

def pg_admin(base: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{base}/test", autocommit=True) as conn:
        conn.execute(sql)
