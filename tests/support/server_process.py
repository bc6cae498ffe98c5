"""A real `hallq serve` process for integration and browser tests.

Each server gets its own free port and its own var/ directory (SQLite file, demo credentials),
so tests never share state and a test can kill -9 its server and start it again on the same
database.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
HALLQ = [sys.executable, "-m", "server"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ServerProcess:
    var_dir: Path
    port: int = field(default_factory=free_port)
    db_url: str | None = None
    async_mode: str = "eventlet"
    message_queue: str | None = None
    extra_args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None
    credentials: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        env = {**os.environ, "HALLQ_VAR": str(self.var_dir), "PYTHONUNBUFFERED": "1", **self.env}
        if self.db_url:
            env["HALLQ_DB"] = self.db_url
        return env

    def seed(self) -> dict:
        """Demo staff and devices (only on the default SQLite database of this var dir)."""
        out = subprocess.run([*HALLQ, "demo", "seed"], env=self._env(), cwd=REPO, capture_output=True,
                             text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        self.credentials = json.loads((self.var_dir / "demo-credentials.json").read_text())
        return self.credentials

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([*HALLQ, *args], env=self._env(), cwd=REPO, capture_output=True, text=True,
                              input=stdin, timeout=120)

    def start(self, timeout: float = 30.0) -> ServerProcess:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        args = [*HALLQ, "serve", "--port", str(self.port), "--any-hours", "--async-mode", self.async_mode,
                *self.extra_args]
        if self.message_queue:
            args += ["--message-queue", self.message_queue]
        self._close_log()
        self._log = open(self.var_dir / f"server-{self.port}.log", "ab")  # noqa: SIM115 - lives with the process
        self.proc = subprocess.Popen(args, env=self._env(), cwd=REPO, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hallq serve exited with {self.proc.returncode}:\n{self.log_text()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"hallq serve did not answer within {timeout} s:\n{self.log_text()}")

    def _close_log(self) -> None:
        log = getattr(self, "_log", None)
        if log is not None:
            log.close()
            self._log = None

    def log_text(self) -> str:
        path = self.var_dir / f"server-{self.port}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def kill(self) -> None:
        """kill -9: no chance to flush or say goodbye."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self._close_log()

    def stop(self) -> int | None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_log()
        return self.proc.returncode if self.proc else None

    # -- conveniences ---------------------------------------------------------------------

    def device_key(self, name: str) -> str:
        return self.credentials["devices"][name]

    def login(self, username: str, password: str | None = None) -> dict[str, str]:
        r = requests.post(f"{self.url}/api/v1/auth/login",
                          json={"username": username, "password": password or self.credentials["password"]},
                          timeout=10)
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['token']}"}
