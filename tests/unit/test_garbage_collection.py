"""The serving process's garbage collection (server/cli.py): start-up's objects frozen, and young
collections rare enough that a call's packets to a thousand displays die before one promotes
them. Its effect is a benchmark figure (docs/performance.md); this holds the settings."""

from __future__ import annotations

import gc

from server.cli import YOUNG_COLLECTION_AFTER, settle_garbage_collection


def test_serving_freezes_start_up_and_collects_young_objects_less_often_keeping_the_old_rules():
    before = gc.get_threshold()
    try:
        settle_garbage_collection()
        assert gc.get_freeze_count() > 0, "start-up's objects are out of every collection"
        assert gc.get_threshold() == (YOUNG_COLLECTION_AFTER, before[1], before[2])
        assert before[0] < YOUNG_COLLECTION_AFTER
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
