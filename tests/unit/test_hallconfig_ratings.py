"""The hall file's [ratings] (server/hallconfig/ratings.py): reason tags, the pad's timeout, its prompt."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.core.rating import DEFAULT_TAGS
from server.hallconfig import DEFAULT_CONFIG, load_hall
from tests.unit.test_hallconfig import BASE, loads_hall, refused

RATINGS = """
[ratings]
pad_timeout_s = 45
prompt = "请评价"
prompt_en = "Please rate us"

[[ratings.tags]]
code = "slow"
name = "等候太久"
name_en = "Waited too long"

[[ratings.tags]]
code = "rude"
name = "态度不好"
name_en = "Unfriendly"
"""


def test_the_demo_lists_its_reason_tags_and_pad_timeout():
    hall = load_hall(DEFAULT_CONFIG)
    assert [t.name for t in hall.ratings.tags] == ["服务态度", "办事效率", "业务水平", "指南准确", "环境设施"]
    assert hall.ratings.pad_timeout_s == 60 and hall.ratings.prompt


def test_ratings_section_loads():
    hall = loads_hall(BASE + RATINGS)
    assert [t.code for t in hall.ratings.tags] == ["slow", "rude"]
    assert (hall.ratings.pad_timeout_s, hall.ratings.prompt, hall.ratings.prompt_en) == (45, "请评价", "Please rate us")
    assert hall.ratings.tag("rude").name_en == "Unfriendly" and hall.ratings.tag("attitude") is None


def test_ratings_default_to_the_five_standard_tags_when_left_out():
    assert loads_hall(BASE).ratings.tags == DEFAULT_TAGS


CASES = {
    "timeout too short": ("pad_timeout_s = 45", "pad_timeout_s = 3", ["ratings: pad_timeout_s: should be greater"]),
    "a tag twice": ('code = "rude"', 'code = "slow"', ['ratings: tag code "slow" is listed twice']),
    "a tag without a name": ('name = "态度不好"', 'name = " "', ["ratings: tags[1].name: must not be empty"]),
    "typo": ("prompt_en", "promt_en", ['ratings: unknown key "promt_en"']),
}


@pytest.mark.parametrize("old,new,expected", list(CASES.values()), ids=list(CASES))
def test_a_ratings_mistake_is_refused_naming_it(tmp_path: Path, old: str, new: str, expected: list[str]):
    message = refused(tmp_path, (BASE + RATINGS).replace(old, new, 1))
    for part in expected:
        assert part in message, message
