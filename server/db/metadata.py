"""The schema's one `MetaData`, its naming convention and the timestamp type every table uses.

Each table module (log_tables, ticket_tables, account_tables, case_tables, print_tables) declares
its tables on this metadata and imports nothing but this module; `server.db.tables` imports them
all, so whatever reads the whole schema (Alembic, `create_all` in a test) sees every table.

Core rather than ORM sessions: the hot paths (issue, call-next) are a handful of statements and
the field notes measured an ORM session per transaction at half the commit rate of plain Core.
"""

from __future__ import annotations

from sqlalchemy import Column, MetaData, String

from server.db.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

TS = UTCDateTime()

# Every hall-scoped row carries its hall's code (issue 16: several halls, one installation). The
# hall is a key part wherever a key is only unique within a hall (window ids, queue codes, ticket
# numbers, the event sequence); ids made unique across the installation (ticket ids, case numbers
# carrying the hall's code) stay keys on their own.
HALL_CODE_LENGTH = 32


def hall_column(*, primary_key: bool = False, nullable: bool = False) -> Column[str]:
    return Column("hall", String(HALL_CODE_LENGTH), primary_key=primary_key, nullable=nullable)
