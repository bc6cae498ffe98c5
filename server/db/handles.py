"""The database's handles, named for the layers that hold one and pass it on without using it.

`server/app` keeps an `Engine` in its services and hands a `Connection` to the repositories; it
never builds a statement, so it imports these names from here rather than SQLAlchemy itself
(tests/core/test_layers.py holds that line).
"""

from __future__ import annotations

from typing import TypeAlias

import sqlalchemy

Engine: TypeAlias = sqlalchemy.Engine
Connection: TypeAlias = sqlalchemy.Connection
