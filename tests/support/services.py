"""The local PostgreSQL and Redis for the tests that need them: a fresh database per test, and
a skip that names the reason only when the service does not answer."""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PG_BASE = "postgresql://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/0"


def _tcp_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def _pg_problem() -> str | None:
    if not _tcp_open("127.0.0.1", 5432):
        return "PostgreSQL is not running at 127.0.0.1:5432"
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL at 127.0.0.1:5432 refuses the test user: {exc}"
    return None


def _redis_problem() -> str | None:
    if not _tcp_open("127.0.0.1", 6379):
        return "Redis is not running at 127.0.0.1:6379"
    import redis

    try:
        client = redis.Redis.from_url(REDIS, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
    except redis.RedisError as exc:
        return f"Redis at 127.0.0.1:6379 does not answer PING: {exc}"
    return None


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test only."""
    with fresh_pg_database() as url:
        yield url


@contextmanager
def fresh_pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database while the block runs (a module's, say); skips the test
    when PostgreSQL does not answer."""
    problem = _pg_problem()
    if problem:
        pytest.skip(problem)
    import psycopg

    name = f"hallq_it_{secrets.token_hex(6)}"
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_BASE}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> str:
    problem = _redis_problem()
    if problem:
        pytest.skip(problem)
    return REDIS
