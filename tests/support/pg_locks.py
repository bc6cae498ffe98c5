"""The advisory locks held in this test's own database. `pg_locks` lists the whole server's: with
the suite on two workers, another test's database held its emitter locks while a test counted
(CI, 5092cb6). Append to a SELECT: `f"SELECT count(*) {OWN_ADVISORY_LOCKS}"`."""

OWN_ADVISORY_LOCKS = ("FROM pg_locks WHERE locktype = 'advisory' AND granted"
                      " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
