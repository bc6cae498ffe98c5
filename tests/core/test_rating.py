"""The rating rules (server/core/rating.py): what a rating may say, and when it may be given."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.core import rating as r
from server.core.errors import DomainError

SETTINGS = r.RatingSettings()
CODES = [t.code for t in SETTINGS.tags]

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8))


def test_five_levels_from_very_satisfied_to_very_dissatisfied_chinese_first():
    assert [(n, zh) for n, (zh, _) in r.LEVELS.items()] == [
        (5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")]
    assert r.level_words(1) == ("非常不满意", "Very dissatisfied")
    assert [v["poor"] for v in r.levels_view()] == [False, False, False, True, True]


@given(level=st.integers(1, 5), comment=st.text(max_size=r.COMMENT_MAX))
def test_any_level_with_no_tags_and_a_short_comment_is_valid(level, comment):
    got = r.validate(SETTINGS, level, [], comment)
    assert got == r.RatingInput(level, (), comment.strip())
    assert got.poor == (level <= 2)


@given(level=st.sampled_from([1, 2]), tags=st.lists(st.sampled_from(CODES), max_size=8))
def test_a_poor_rating_keeps_each_known_tag_once_in_the_order_given(level, tags):
    got = r.validate(SETTINGS, level, tags)
    assert list(got.tags) == list(dict.fromkeys(tags))


@given(level=st.one_of(json_scalars, st.lists(st.integers(), max_size=2)).filter(
    lambda v: isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 5))
def test_anything_but_a_whole_number_1_to_5_is_refused_naming_level(level):
    with pytest.raises(r.InvalidRating) as e:
        r.validate(SETTINGS, level)
    assert e.value.where == "level" and e.value.kind == "invalid" and e.value.message_zh


@given(level=st.sampled_from([1, 2]), tag=st.text(max_size=12).filter(lambda t: t not in CODES))
def test_a_tag_not_in_the_halls_list_is_refused_naming_tags(level, tag):
    with pytest.raises(r.InvalidRating) as e:
        r.validate(SETTINGS, level, [CODES[0], tag])
    assert e.value.where == "tags"


@given(level=st.sampled_from([3, 4, 5]), tags=st.lists(st.sampled_from(CODES), min_size=1, max_size=3))
def test_reason_tags_go_with_a_poor_rating_only(level, tags):
    with pytest.raises(r.InvalidRating) as e:
        r.validate(SETTINGS, level, tags)
    assert e.value.where == "tags"


@given(extra=st.integers(1, 200))
def test_a_comment_over_the_cap_is_refused_naming_comment(extra):
    with pytest.raises(r.InvalidRating) as e:
        r.validate(SETTINGS, 4, [], "好" * (r.COMMENT_MAX + extra))
    assert e.value.where == "comment"


@given(level=json_scalars, tags=st.one_of(json_scalars, st.lists(json_scalars, max_size=3)), comment=json_scalars)
def test_the_validator_answers_any_json_with_a_rating_or_a_domain_error(level, tags, comment):
    try:
        got = r.validate(SETTINGS, level, tags, comment)
    except DomainError as e:
        assert e.where in ("level", "tags", "comment")
        return
    assert got.level in r.LEVELS and set(got.tags) <= set(CODES) and len(got.comment) <= r.COMMENT_MAX
    assert not got.tags or got.poor


def test_a_ticket_is_ratable_once_done_at_a_window_and_only_once():
    r.require_ticket_ratable("done", forced=False, rated=False)
    for status in ("waiting", "called", "serving", "suspended", "no_show", "cancelled"):
        with pytest.raises(r.NotFinished):
            r.require_ticket_ratable(status, forced=False, rated=False)
    with pytest.raises(r.NotFinished, match="manager"):
        r.require_ticket_ratable("done", forced=True, rated=False)
    with pytest.raises(r.AlreadyRated) as e:
        r.require_ticket_ratable("done", forced=False, rated=True)
    assert (e.value.kind, e.value.code) == ("conflict", "already_rated")


def test_a_case_is_ratable_once_delivered_or_concluded_and_only_once():
    for status in ("delivered", "concluded"):
        r.require_case_ratable(status, rated=False)
        with pytest.raises(r.AlreadyRated):
            r.require_case_ratable(status, rated=True)
    for status in ("accepted", "in_review", "decided_approved", "decided_denied", "noticed", "refused"):
        with pytest.raises(r.NotFinished) as e:
            r.require_case_ratable(status, rated=False)
        assert e.value.code == "not_finished" and e.value.message_zh.startswith("办件")
