"""Several halls, one installation (issue 16): a hall file may start from shared defaults and say
only how its hall differs; the demo city's two district centers do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server.hallconfig import DEFAULT_CONFIG, HallConfigError, load_hall, loads_hall

HALLS = DEFAULT_CONFIG.parent / "halls"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_demo_district_centers_share_the_city_s_catalogue_with_their_own_windows():
    city = load_hall(DEFAULT_CONFIG)
    for code, windows in (("east", 14), ("west", 10)):
        hall = load_hall(HALLS / f"{code}.toml")
        assert hall.code == code and hall.name.endswith("区政务服务中心")
        assert len(hall.windows) == windows
        assert [i.code for i in hall.items] == [i.code for i in city.items]
        assert hall.hours == city.hours and hall.timezone == city.timezone
        served = {sq.queue for w in hall.windows for sq in w.queues}
        assert served == {q.code for q in hall.queues}  # nobody takes a number no window calls


def test_a_hall_file_wins_key_by_key_and_its_arrays_replace_the_defaults(tmp_path):
    city = load_hall(DEFAULT_CONFIG)
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    write(tmp_path, "defaults.toml", text)
    shutil.copytree(DEFAULT_CONFIG.parent / "forms", tmp_path / "forms")  # the guides' sample forms
    hall = load_hall(write(tmp_path, "halls/north.toml", (
        'defaults = "../defaults.toml"\n[hall]\ncode = "north"\nname = "北区政务服务中心"\n'
        '[hours]\nissue_stop_minutes = 45\n')))
    assert (hall.code, hall.name) == ("north", "北区政务服务中心")
    assert hall.name_en == city.name_en  # not said: inherited
    assert hall.hours.issue_stop_minutes == 45 and hall.hours.periods == city.hours.periods
    assert len(hall.windows) == len(city.windows)


def test_a_missing_or_circular_defaults_file_is_named(tmp_path):
    with pytest.raises(HallConfigError, match=r"a\.toml: defaults: no file '.*nowhere\.toml'"):
        load_hall(write(tmp_path, "a.toml", 'defaults = "nowhere.toml"\n'))
    write(tmp_path, "b.toml", 'defaults = "c.toml"\n')
    write(tmp_path, "c.toml", 'defaults = "b.toml"\n')
    with pytest.raises(HallConfigError, match=r"defaults: the files name each other in a circle"):
        load_hall(tmp_path / "b.toml")
    with pytest.raises(HallConfigError, match=r"defaults: must be the name of a file, not 3"):
        load_hall(write(tmp_path, "d.toml", "defaults = 3\n"))


def test_a_typo_in_a_district_file_is_reported_against_that_file(tmp_path):
    path = write(tmp_path, "halls/typo.toml", (HALLS / "east.toml").read_text(encoding="utf-8")
                 .replace('defaults = "../hall.toml"', f'defaults = "{DEFAULT_CONFIG}"')
                 .replace('queues = ["N"]', 'queues = ["Z"]'))
    with pytest.raises(HallConfigError, match=r"typo\.toml: windows\[11\] \(id \"12\"\): .*\"Z\""):
        load_hall(path)


def test_text_in_memory_cannot_name_a_defaults_file():
    with pytest.raises(HallConfigError, match="only a hall file read from disk can name a defaults file"):
        loads_hall('defaults = "hall.toml"\n')
