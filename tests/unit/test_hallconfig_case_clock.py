"""The hall file's [case_clock] and [[item_warning_tiers]] (server/hallconfig/case_clock.py)."""

from __future__ import annotations

from server.core.hall import CaseClockRules, WarningTier
from server.hallconfig import DEFAULT_CONFIG, load_hall
from tests.unit.test_hallconfig import BASE, loads_hall, refused

TIERS = '\n[[item_warning_tiers]]\nitem = "{item}"\ntiers = [{tiers}]\n'


def _item_of(text: str) -> str:
    return loads_hall(text).items[0].code


def test_the_demo_answers_a_receipt_in_5_working_days_and_warns_one_item_by_its_own_tiers():
    hall = load_hall(DEFAULT_CONFIG)
    assert hall.case_clock == CaseClockRules(receipt_days=5, max_extensions=1, max_extension_days=10)
    assert hall.tiers_for("SCJG-003")[0] == WarningTier("yellow", 0.5)
    assert hall.tiers_for("SCJG-001") == hall.warning_tiers


def test_a_hall_without_the_sections_gets_the_defaults():
    hall = loads_hall(BASE)
    assert hall.case_clock == CaseClockRules() and hall.item_warning_tiers == ()


def test_item_tiers_must_name_a_known_item_and_end_at_overdue(tmp_path):
    item = _item_of(BASE)
    ok = TIERS.format(item=item, tiers='{name = "amber", share_left = 0.6}, {name = "red", share_left = 0}')
    assert loads_hall(BASE + ok).tiers_for(item) == (WarningTier("amber", 0.6), WarningTier("red", 0.0))
    unknown = TIERS.format(item="NOPE-1", tiers='{name = "red", share_left = 0}')
    assert 'unknown item "NOPE-1"' in refused(tmp_path, BASE + unknown)
    no_red = TIERS.format(item=item, tiers='{name = "amber", share_left = 0.5}')
    assert "share_left = 0" in refused(tmp_path, BASE + no_red)


def test_receipt_days_are_bounded(tmp_path):
    assert "receipt_days" in refused(tmp_path, BASE + "\n[case_clock]\nreceipt_days = 0\n")
    assert loads_hall(BASE + "\n[case_clock]\nreceipt_days = 7\n").case_clock.receipt_days == 7
