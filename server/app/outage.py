"""The database away or busy for now, as the layers above it meet it: the transport answers 503
(the web reaches what lies below through here, tests/core/test_web_layer.py), and a background
loop logs one line a round rather than a traceback a second while PostgreSQL restarts."""

from __future__ import annotations

import logging
import sys

from server.db.outage import unavailable as database_unavailable

__all__ = ["database_unavailable", "first_line", "log_failure"]


def first_line(error: BaseException, limit: int = 300) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0][:limit]


def log_failure(logger: logging.Logger, message: str, *args: object) -> None:
    """Log the exception being handled: a warning of one line when the database is away or busy,
    the traceback when it is a defect."""
    error = sys.exc_info()[1]
    if error is not None and database_unavailable(error):
        logger.warning(message + " (the database is not answering: %s)", *args, first_line(error))
    else:
        logger.exception(message, *args)
