"""Alembic, driven from code: `hallq serve` upgrades the database to head before it serves."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine, hall: str | None = None) -> Config:
    """`hall`: the code whose rows a single-hall database's become (migration 0021)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    cfg.attributes["hall"] = hall
    return cfg


def upgrade(engine: Engine, hall: str | None = None) -> None:
    command.upgrade(alembic_config(engine, hall), "head")
