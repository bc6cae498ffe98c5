"""The hall file's [followup] (server/hallconfig/followup.py): the working days of each step."""

from __future__ import annotations

from server.core.hall import FollowupLimits
from server.hallconfig import DEFAULT_CONFIG, load_hall
from tests.unit.test_hallconfig import BASE, loads_hall, refused


def test_the_demo_calls_back_in_1_working_day_and_answers_in_5():
    assert load_hall(DEFAULT_CONFIG).followup == FollowupLimits(1, 3, 5, 5)


def test_a_hall_without_the_section_gets_the_defaults():
    assert loads_hall(BASE).followup == FollowupLimits()


def test_a_province_with_15_days_to_rectify():
    text = BASE + "\n[followup]\ncalled_back_days = 1\nverified_days = 3\nrectified_days = 15\nanswered_days = 15\n"
    assert loads_hall(text).followup == FollowupLimits(1, 3, 15, 15)


def test_a_later_step_due_sooner_is_refused_by_name(tmp_path):
    message = refused(tmp_path, BASE + "\n[followup]\nverified_days = 6\n")
    assert "rectified_days = 5 is before verified_days = 6" in message


def test_negative_unknown_and_text_days_are_refused(tmp_path):
    assert "called_back_days" in refused(tmp_path, BASE + "\n[followup]\ncalled_back_days = -1\n")
    assert "rectify_days" in refused(tmp_path, BASE + "\n[followup]\nrectify_days = 5\n")
    assert "answered_days" in refused(tmp_path, BASE + '\n[followup]\nanswered_days = "5"\n')
