"""The database away or busy for now, as the transport asks it: the handlers' layer is where the
web reaches what lies below (tests/core/test_web_layer.py)."""

from server.db.outage import unavailable as database_unavailable

__all__ = ["database_unavailable"]
