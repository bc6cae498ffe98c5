"""Issue 16, point 2: on PostgreSQL an issue, a call-next and a finish each wait for the database
at most four times, BEGIN and COMMIT included (the bare app's insert: three). Counted as the
round-trip bench counts them (bench/phases/round_trips.py), on the demo hall."""

from __future__ import annotations

import pytest

from bench.phases.round_trips import CHANGES, TARGET, measure, trips
from server.db.engine import make_engine


@pytest.mark.postgres
def test_issue_call_next_and_finish_wait_for_postgresql_at_most_four_times(pg_url):
    engine = make_engine(pg_url)
    try:
        sent = measure(engine)
    finally:
        engine.dispose()
    for change in CHANGES:
        assert trips(sent[change]) <= TARGET, (change, sent[change])
    # What makes it so: the writes ride along, the reads of a view go together, the log entry
    # goes with the commit.
    assert any(s.startswith("reads sent together") for s in sent["call_next"])
    assert sent["finish"][-1].startswith("COMMIT, with the event log's entry")
