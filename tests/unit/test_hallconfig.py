"""The hall file: the demo hall loads as the regulation would have it, and every kind of admin
mistake is refused with a message naming the file, the entry and the problem."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from server.core.hall import CalendarOverrides, ClosedQueuePolicy, Hall, WindowKind
from server.hallconfig import DEFAULT_CONFIG, HallConfigError, load_hall, loads_hall
from server.speech.settings import HallVoice

REPO = Path(__file__).resolve().parents[2]

# The smallest hall that exercises every section: two departments with windows of their own and
# a third served only at a proxy window.
BASE = """\
[hall]
code = "t"
name = "测试政务服务中心"
name_en = "Test Service Center"
timezone = "Asia/Shanghai"
public_url = "http://127.0.0.1:5000/"

[hours]
periods = ["09:00-12:00", "13:00-17:00"]
issue_stop_minutes = 30

[calendar]
national = false
holidays = [2026-10-09]
workdays = ["2026-10-10"]

[voice]
template = "请{number}号到{window}号窗口办理"

[[warning_tiers]]
name = "yellow"
share_left = 0.25

[[warning_tiers]]
name = "red"
share_left = 0

[[printer_profiles]]
name = "tm-80"

[[printer_profiles]]
name = "pos58"
paper_mm = 58
native_qr = false
cut = false

[[departments]]
code = "SB"
name = "社保局"
name_en = "Social Insurance Bureau"

[[departments]]
code = "GA"
name = "公安局"
name_en = "Public Security Bureau"

[[departments]]
code = "WJ"
name = "卫健委"
name_en = "Health Commission"

[[queues]]
code = "A"
name = "社保"
name_en = "Social Insurance"
department = "SB"

[[queues]]
code = "B"
name = "户政"
name_en = "Household Registration"
department = "GA"

[[queues]]
code = "C"
name = "卫健"
name_en = "Health"
department = "WJ"
prefix = "WJ"
digits = 4

[[items]]
code = "SB-01"
name = "社会保障卡申领"
name_en = "Social security card"
department = "SB"
queue = "A"
typical_minutes = 10
copied_departments = ["GA"]

[items.guide]
legal_basis = "《中华人民共和国社会保险法》"
conditions = "已参保。"
fee = "不收费"
time_limit_days = 0
contact = "12345"
process = "受理 → 制卡"

[[items.guide.materials]]
code = "ID_CARD"
name = "居民身份证"
copies = "原件"

[[items.guide.materials]]
code = "M02"
name = "申请表"

[[items]]
code = "GA-01"
name = "户籍证明"
name_en = "Household certificate"
department = "GA"
queue = "B"
typical_minutes = 5.5

[items.guide]
legal_basis = "《中华人民共和国户口登记条例》"
conditions = "本人申请。"
fee = "不收费"
time_limit_days = 3
contact = "12345"

[[items.guide.materials]]
code = "ID_CARD"
name = "居民身份证"

[[windows]]
id = "1"
department = "SB"
queues = ["A"]
printer = "tcp://10.0.0.5:9100"

[[windows]]
id = "2"
department = "GA"
queues = ["B"]

[[windows]]
id = "3"
kind = "proxy"
name = "综合代理窗口"
queues = [{ queue = "A" }, { queue = "C", weight = 2 }]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hall.toml"
    path.write_text(text, encoding="utf-8")
    return path


def variant(old: str, new: str) -> str:
    assert BASE.count(old) == 1, f"{old!r} must occur once in BASE"
    return BASE.replace(old, new)


def refused(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(HallConfigError) as info:
        load_hall(path)
    message = str(info.value)
    assert all(line.startswith(f"{path}: ") for line in message.splitlines()), message
    return message


# --- the demo hall ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> Hall:
    return load_hall(DEFAULT_CONFIG)


def test_default_config_is_the_repo_demo():
    assert DEFAULT_CONFIG == REPO / "config" / "hall.toml"
    assert DEFAULT_CONFIG.is_file()


def test_demo_is_a_municipal_center(demo: Hall):
    assert demo.timezone == "Asia/Shanghai"
    assert demo.public_url == "http://127.0.0.1:5000"
    assert "政务服务中心" in demo.name and demo.name_en
    assert demo.notices and all(any("\u4e00" <= c <= "\u9fff" for c in n) for n in demo.notices)
    assert demo.closed_queue_policy is ClosedQueuePolicy.WARN  # issue #9: the demo warns, never strands


def test_demo_has_the_departments_items_queues_and_windows(demo: Hall):
    assert len(demo.departments) >= 10
    assert len(demo.items) >= 40
    assert len(demo.windows) >= 30
    assert [w.id for w in demo.windows] == [str(n) for n in range(1, len(demo.windows) + 1)]
    assert all(w.number == int(w.id) for w in demo.windows)
    assert demo.window("5").name == "5号窗口" and demo.window("5").name_en == "Window 5"
    names = {d.name for d in demo.departments}
    for expected in ("市场监督管理局", "人力资源和社会保障局", "不动产登记中心", "税务局", "民政局"):
        assert expected in names


def test_every_demo_item_carries_a_full_article_7_guide(demo: Hall):
    for item in demo.items:
        g = item.guide
        assert item.name and item.name_en and item.typical_minutes > 0, item.code
        assert g.legal_basis.startswith("《") and g.conditions and g.fee and g.contact, item.code
        assert g.process and g.common_mistakes, item.code
        assert g.time_limit_days >= 0
        assert 3 <= len(g.materials) <= 6, item.code
        assert len({m.code for m in g.materials}) == len(g.materials), item.code
        assert all(m.name and m.name_en for m in g.materials), item.code
        assert demo.queue(item.queue).department == item.department
    assert any(i.guide.time_limit_days == 0 for i in demo.items)
    assert any(i.guide.fee == "不收费" for i in demo.items)


def test_demo_has_joint_items_with_copied_departments(demo: Hall):
    joint = [i for i in demo.items if i.copied_departments]
    assert len(joint) >= 2
    for item in joint:
        assert item.department not in item.copied_departments
        assert all(demo.department(d) for d in item.copied_departments)


def test_demo_proxy_windows_serve_several_departments_low_volume_queues(demo: Hall):
    proxies = [w for w in demo.windows if w.kind is WindowKind.PROXY]
    assert len(proxies) == 2
    for w in proxies:
        assert w.department is None
        assert len({demo.queue(sq.queue).department for sq in w.queues}) >= 3
        assert len({sq.weight for sq in w.queues}) > 1
    only_at_proxies = [q for q in demo.queues if all(w in proxies for w in demo.windows_serving(q.code))]
    assert len(only_at_proxies) >= 2


def test_demo_queues_are_all_served_and_prefixed_by_letters(demo: Hall):
    prefixes = [q.prefix for q in demo.queues]
    assert len(set(prefixes)) == len(prefixes)
    assert all(p.isascii() and p.isupper() and p.isalpha() for p in prefixes)
    assert all(demo.windows_serving(q.code) for q in demo.queues)


def test_demo_hours_calendar_voice_tiers_and_printers(demo: Hall):
    assert demo.hours.issue_stop_minutes == 30
    assert demo.hours.is_open(time(9, 0)) and not demo.hours.is_open(time(17, 0))
    assert demo.hours.issuing(time(16, 29)) and not demo.hours.issuing(time(16, 30))
    assert demo.calendar.national
    assert [(t.name, t.share_left) for t in demo.warning_tiers] == [("yellow", 0.3333), ("orange", 0.1), ("red", 0)]
    assert demo.appeal.review_body and demo.appeal.court  # named on a refused case's progress page
    assert demo.voice.template == "请{number}号到{window}号窗口"
    tm80, pos58 = demo.printer_profile("tm-80"), demo.printer_profile("pos58")
    assert (tm80.paper_mm, tm80.native_qr, tm80.cut) == (80, True, True)
    assert (pos58.paper_mm, pos58.native_qr, pos58.cut) == (58, False, False)


# --- the base file and the conveniences it relies on ---------------------------------------


def test_base_loads_with_defaults_filled_in(tmp_path: Path):
    hall = load_hall(write(tmp_path, BASE))
    assert hall.public_url == "http://127.0.0.1:5000"  # trailing slash dropped
    w1, w3 = hall.window("1"), hall.window("3")
    assert (w1.number, w1.name, w1.name_en, w1.kind) == (1, "1号窗口", "Window 1", WindowKind.DEPARTMENT)
    assert w1.printer == "tcp://10.0.0.5:9100" and hall.window("2").printer is None
    assert w3.kind is WindowKind.PROXY and w3.department is None and w3.name == "综合代理窗口"
    assert w3.weight("A") == 1 and w3.weight("C") == 2
    assert hall.queue("A").prefix == "A" and hall.queue("C").prefix == "WJ" and hall.queue("C").digits == 4
    assert hall.item("GA-01").typical_minutes == 5.5
    assert hall.item("SB-01").material("ID_CARD").copies == "原件"
    assert hall.calendar.holidays == {date(2026, 10, 9)} and hall.calendar.workdays == {date(2026, 10, 10)}
    assert not hall.calendar.national
    assert hall.hours.periods == ((time(9), time(12)), (time(13), time(17)))
    assert hall.voice.template_en == "Number {number_en}, please go to window {window}."


def test_optional_sections_fall_back_to_the_core_defaults():
    # Drop [calendar], [voice], [[warning_tiers]] and [[printer_profiles]].
    hall = loads_hall(BASE[: BASE.index("[calendar]")] + BASE[BASE.index("[[departments]]") :])
    # Without [voice], the defaults that keep calls short and a burst heard within 30 s.
    assert hall.calendar == CalendarOverrides() and hall.voice == HallVoice()
    assert [t.name for t in hall.warning_tiers] == ["yellow", "orange", "red"]
    assert [p.name for p in hall.printer_profiles] == ["default"]


def test_window_id_may_be_written_as_a_number():
    hall = loads_hall(variant('id = "2"', "id = 2"))
    assert hall.window("2").number == 2


def test_unsorted_periods_are_sorted():
    hall = loads_hall(variant('periods = ["09:00-12:00", "13:00-17:00"]', 'periods = ["13:00-17:00", "09:00-12:00"]'))
    assert hall.hours.periods[0] == (time(9), time(12))


def test_utf8_bom_is_accepted(tmp_path: Path):
    path = tmp_path / "hall.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    assert load_hall(path).code == "t"


# --- refused, with file, entry and problem ------------------------------------------------------

CASES = {
    "toml syntax": (
        'name_en = "Test Service Center"',
        'name_en = "Test Service Center',
        ["TOML syntax error", "line 4"],
    ),
    "typo in a top-level table": ("[hours]", "[hour]", ['top level: unknown key "hour" (did you mean "hours"?)']),
    "typo in an item key": (
        "typical_minutes = 10\n",
        "typical_minutes = 10\ntypicl_minutes = 9\n",
        ['items.SB-01: unknown key "typicl_minutes" (did you mean "typical_minutes"?)'],
    ),
    "typo in a material key": (
        'code = "M02"\nname = "申请表"',
        'code = "M02"\nname = "申请表"\nnmae_en = "Form"',
        ['items.SB-01: guide.materials[1]: unknown key "nmae_en" (did you mean "name_en"?)'],
    ),
    "typo in a served queue": (
        '{ queue = "C", weight = 2 }',
        '{ queue = "C", wieght = 2 }',
        ['windows[2] (id "3"): queues[1]: unknown key "wieght" (did you mean "weight"?)'],
    ),
    "key with no close match": (
        'id = "2"',
        'id = "2"\nxyz = 1',
        ['windows[1] (id "2"): unknown key "xyz" (valid keys: id, number,'],
    ),
    "missing required field": (
        'legal_basis = "《中华人民共和国社会保险法》"\n',
        "",
        ['items.SB-01: guide: missing required key "legal_basis"'],
    ),
    "missing required table": (
        '[[windows]]\nid = "1"',
        '[[window]]\nid = "1"',
        ['top level: unknown key "window" (did you mean "windows"?)'],
    ),
    "wrong type": (
        "typical_minutes = 5.5",
        'typical_minutes = "5.5"',
        ["items.GA-01: typical_minutes: should be a number (got '5.5')"],
    ),
    "item routed to unknown queue": (
        'queue = "A"\ntypical',
        'queue = "Z"\ntypical',
        ['items.SB-01: routed to unknown queue "Z"'],
    ),
    "item of unknown department": (
        'department = "SB"\nqueue = "A"',
        'department = "SBB"\nqueue = "A"',
        ['items.SB-01: unknown department "SBB" (did you mean "SB"?)'],
    ),
    "item routed to another department's queue": (
        'queue = "B"\ntypical',
        'queue = "A"\ntypical',
        ['items.GA-01: routed to queue "A" of department "SB", not to a queue of its own department "GA"'],
    ),
    "copied to unknown department": (
        'copied_departments = ["GA"]',
        'copied_departments = ["GX"]',
        ['items.SB-01: copied_departments: unknown department "GX"'],
    ),
    "copied to its lead department": (
        'copied_departments = ["GA"]',
        'copied_departments = ["SB"]',
        ['items.SB-01: copied_departments lists the lead department "SB" itself'],
    ),
    "duplicate department code": (
        'code = "WJ"\nname = "卫健委"',
        'code = "GA"\nname = "卫健委"',
        ['departments.GA: code "GA" is used twice (departments[1] and departments[2])'],
    ),
    "bad department code": (
        'code = "WJ"\nname = "卫健委"',
        'code = "W-J"\nname = "卫健委"',
        ['departments.W-J: code: "W-J" is not a department code'],
    ),
    "duplicate item code": (
        'code = "GA-01"',
        'code = "SB-01"',
        ['items.SB-01: code "SB-01" is used twice (items[0] and items[1])'],
    ),
    "duplicate queue code": (
        'code = "B"\nname = "户政"',
        'code = "A"\nname = "户政"\nprefix = "B"',
        ['queues.A: code "A" is used twice (queues[0] and queues[1])'],
    ),
    "duplicate window id": (
        'id = "2"',
        'id = "1"\nnumber = 2',
        ['windows[1] (id "1"): id "1" is already used by windows[0] (id "1")'],
    ),
    "duplicate window number": (
        'id = "2"',
        'id = "2"\nnumber = 1',
        ['windows[1] (id "2"): number 1 is already used by windows[0] (id "1")'],
    ),
    "duplicate material code": (
        'code = "M02"',
        'code = "ID_CARD"',
        ['items.SB-01: guide: material code "ID_CARD" is listed twice'],
    ),
    "item without materials": (
        'contact = "12345"\n\n[[items.guide.materials]]\ncode = "ID_CARD"\nname = "居民身份证"\n\n[[windows]]',
        'contact = "12345"\nmaterials = []\n\n[[windows]]',
        ["items.GA-01: guide.materials: lists no material"],
    ),
    "item without materials key": (
        '[[items.guide.materials]]\ncode = "ID_CARD"\nname = "居民身份证"\n\n[[windows]]',
        "[[windows]]",
        ['items.GA-01: guide: missing required key "materials"'],
    ),
    "duplicate ticket prefix": (
        'prefix = "WJ"',
        'prefix = "A"',
        ['queues.C: ticket prefix "A" is already used by queue "A"'],
    ),
    "prefix lowercase": (
        'prefix = "WJ"',
        'prefix = "wj"',
        ['queues.C: ticket prefix "wj" is not 1-2 uppercase ASCII letters'],
    ),
    "prefix too long": (
        'prefix = "WJ"',
        'prefix = "WJW"',
        ['queues.C: ticket prefix "WJW" is not 1-2 uppercase ASCII letters'],
    ),
    "prefix not ascii": (
        'prefix = "WJ"',
        'prefix = "Ｗ"',
        ['queues.C: ticket prefix "Ｗ" is not 1-2 uppercase ASCII letters'],
    ),
    "prefix taken from a long code": (
        'code = "B"\nname = "户政"',
        'code = "HUKOU"\nname = "户政"',
        ['queues.HUKOU: ticket prefix "HUKOU" (taken from the code; set prefix) is not 1-2 uppercase'],
    ),
    "window with no queues": ('queues = ["B"]', "queues = []", ['windows[1] (id "2"): queues: serves no queue']),
    "window serving unknown queue": (
        'queues = ["B"]',
        'queues = ["B", "Z"]',
        ['windows[1] (id "2"): serves unknown queue "Z"'],
    ),
    "window serving a queue twice": (
        'queues = ["B"]',
        'queues = ["B", "B"]',
        ['windows[1] (id "2"): serves queue "B" twice'],
    ),
    "department window serving another department": (
        'queues = ["B"]',
        'queues = ["B", "A"]',
        ['windows[1] (id "2"): department window of "GA" serves queue "A" of department "SB"; only proxy windows'],
    ),
    "department window without department": (
        'department = "GA"\nqueues',
        "queues",
        ['windows[1] (id "2"): a department window needs department'],
    ),
    "window of unknown department": (
        'department = "GA"\nqueues',
        'department = "GX"\nqueues',
        ['windows[1] (id "2"): unknown department "GX"'],
    ),
    "proxy window of one department": (
        '{ queue = "A" }, { queue = "C", weight = 2 }',
        '{ queue = "C", weight = 2 }',
        ['windows[2] (id "3"): a proxy window serves queues of at least two departments, this one only of "WJ"'],
    ),
    "proxy window naming a department": (
        'kind = "proxy"',
        'kind = "proxy"\ndepartment = "SB"',
        ['windows[2] (id "3"): a proxy window serves several departments; remove department'],
    ),
    "unknown window kind": (
        'kind = "proxy"',
        'kind = "agent"',
        ["windows[2] (id \"3\"): kind: should be 'department' or 'proxy'"],
    ),
    "weight below one": (
        "weight = 2",
        "weight = 0",
        ['windows[2] (id "3"): queues[1].weight: should be greater than or equal to 1'],
    ),
    "bad printer url": (
        'printer = "tcp://10.0.0.5:9100"',
        'printer = "tcp://10.0.0.5"',
        ['windows[0] (id "1"): printer: ', "has no port"],
    ),
    "printer url without scheme": (
        'printer = "tcp://10.0.0.5:9100"',
        'printer = "10.0.0.5:9100"',
        ['windows[0] (id "1"): printer: ', "has no scheme"],
    ),
    "queue nobody serves": (
        'queues = ["B"]',
        'queues = ["B"]\n\n[[queues]]\ncode = "D"\nname = "D"\nname_en = "D"\ndepartment = "GA"',
        ["queues.D: no window serves this queue"],
    ),
    "queue of unknown department": (
        'department = "WJ"\nprefix',
        'department = "WX"\nprefix',
        ['queues.C: unknown department "WX"'],
    ),
    "hours unparseable": (
        '"13:00-17:00"]',
        '"1pm-5pm"]',
        ['hours: periods[1]: "1pm-5pm" is not a period; write "HH:MM-HH:MM"'],
    ),
    "hours impossible time": (
        '"13:00-17:00"]',
        '"13:00-25:00"]',
        ['hours: periods[1]: "13:00-25:00" has a time that does not exist'],
    ),
    "hours end before start": (
        '"13:00-17:00"]',
        '"17:00-13:00"]',
        ['hours: periods[1]: "17:00-13:00" ends before it starts'],
    ),
    "hours overlapping": ('"13:00-17:00"]', '"11:30-17:00"]', ["hours: periods 09:00-12:00 and 11:30-17:00 overlap"]),
    "hours empty": (
        'periods = ["09:00-12:00", "13:00-17:00"]',
        "periods = []",
        ["hours: periods: lists no period"],
    ),
    "issue stop longer than any period": (
        "issue_stop_minutes = 30",
        "issue_stop_minutes = 240",
        ["hours: issue_stop_minutes = 240 leaves no time to issue tickets"],
    ),
    "bad timezone": ('"Asia/Shanghai"', '"Asia/Shanghia"', ['hall: timezone: unknown timezone "Asia/Shanghia"']),
    "calendar date unparseable": (
        'workdays = ["2026-10-10"]',
        'workdays = ["2026-13-10"]',
        ["calendar: workdays[0]: '2026-13-10' is not a date; write YYYY-MM-DD"],
    ),
    "calendar date with a time": (
        "holidays = [2026-10-09]",
        "holidays = [2026-10-09T08:00:00]",
        ["calendar: holidays[0]: 2026-10-09 08:00:00 is a date and time"],
    ),
    "calendar day both closed and open": (
        "holidays = [2026-10-09]",
        "holidays = [2026-10-10]",
        ["calendar: 2026-10-10 is listed both as a holiday and as a workday"],
    ),
    "public url not http": (
        '"http://127.0.0.1:5000/"',
        '"ftp://127.0.0.1"',
        ['hall: public_url: "ftp://127.0.0.1" is not an http(s) URL'],
    ),
    "public url without scheme": (
        '"http://127.0.0.1:5000/"',
        '"127.0.0.1:5000"',
        ['hall: public_url: "127.0.0.1:5000" is not an http(s) URL'],
    ),
    "origin with a path": (
        'public_url = "http://127.0.0.1:5000/"',
        'public_url = "http://127.0.0.1:5000/"\norigins = ["https://a.example/x"]',
        ['hall: origins[0]: "https://a.example/x" is not an origin'],
    ),
    "voice placeholder unknown": (
        "{number}号到{window}",
        "{numbr}号到{window}",
        ["voice: template: unknown placeholder {numbr}"],
    ),
    "voice template without the window": (
        "{number}号到{window}号窗口办理",
        "{number}号请办理",
        ["voice: template: ", "must say the number ({number}) and the window ({window})"],
    ),
    "voice chime unknown": (
        'template = "请{number}号到{window}号窗口办理"',
        'template = "请{number}号到{window}号窗口办理"\nchime = "gong"',
        ["voice: chime: "],
    ),
    "voice merged template without the window": (
        'template = "请{number}号到{window}号窗口办理"',
        'template = "请{number}号到{window}号窗口办理"\ntemplate_more = "{number}号"',
        ["voice: template_more: ", "must say the number ({number}) and the window ({window})"],
    ),
    "voice merging nothing": (
        'template = "请{number}号到{window}号窗口办理"',
        'template = "请{number}号到{window}号窗口办理"\nmerge_max = 0',
        ["voice: merge_max: "],
    ),
    "warning tiers out of order": (
        "share_left = 0\n",
        "share_left = 0.5\n",
        ['warning_tiers[1] (name "red"): share_left = 0.5 is not below "yellow" (0.25)',
         'warning_tiers[1] (name "red"): the last tier must have share_left = 0'],
    ),
    "warning tier share out of range": (
        "share_left = 0.25",
        "share_left = 2",
        ['warning_tiers[0] (name "yellow"): share_left: '],
    ),
    "duplicate printer profile": (
        'name = "pos58"',
        'name = "tm-80"',
        ['printer_profiles[0] (name "tm-80"): name "tm-80" is used twice'],
    ),
    "window id unfit for a URL": (
        'id = "2"',
        'id = "2/b"\nnumber = 2',
        ['windows[1] (id "2/b"): id: "2/b" is not a valid code'],
    ),
    "negative time limit": (
        "time_limit_days = 3",
        "time_limit_days = -1",
        ["items.GA-01: guide.time_limit_days: should be greater than or equal to 0 (got -1)"],
    ),
    "blank name": ('name = "户籍证明"', 'name = "  "', ["items.GA-01: name: must not be empty"]),
}


@pytest.mark.parametrize("old,new,expected", list(CASES.values()), ids=list(CASES))
def test_mistake_is_refused_naming_file_entry_and_problem(tmp_path: Path, old: str, new: str, expected: list[str]):
    message = refused(tmp_path, variant(old, new))
    for part in expected:
        assert part in message, message


def test_brief_example_message_reads_exactly(tmp_path: Path):
    path = write(tmp_path, variant('queues = ["B"]', 'queues = ["B", "Z"]'))
    with pytest.raises(HallConfigError) as info:
        load_hall(path)
    assert str(info.value) == f'{path}: windows[1] (id "2"): serves unknown queue "Z"'
    assert info.value.problems == ('windows[1] (id "2"): serves unknown queue "Z"',)


def test_all_problems_are_reported_at_once(tmp_path: Path):
    text = variant('queues = ["B"]', 'queues = ["B", "Z"]').replace('prefix = "WJ"', 'prefix = "A"')
    message = refused(tmp_path, text)
    assert 'serves unknown queue "Z"' in message and 'ticket prefix "A" is already used' in message
    assert len(message.splitlines()) == 2


def test_unknown_section_also_reports_the_missing_one(tmp_path: Path):
    message = refused(tmp_path, variant("[hours]", "[hour]"))
    assert 'top level: missing required key "hours"' in message


def test_hall_without_windows_is_refused(tmp_path: Path):
    message = refused(tmp_path, "windows = []\n" + BASE[: BASE.index("[[windows]]")])
    assert "windows: lists none; a hall needs at least one" in message


def test_missing_file_is_refused_naming_it(tmp_path: Path):
    path = tmp_path / "nope.toml"
    with pytest.raises(HallConfigError, match=r"nope\.toml: cannot read the file"):
        load_hall(path)


def test_non_utf8_file_is_refused(tmp_path: Path):
    path = tmp_path / "hall.toml"
    path.write_bytes(BASE.encode("gb18030"))
    with pytest.raises(HallConfigError, match="not UTF-8 text"):
        load_hall(path)


def test_loads_hall_names_its_source():
    with pytest.raises(HallConfigError, match=r"^admin-edit: windows\[1\]"):
        loads_hall(variant('queues = ["B"]', 'queues = ["Z"]'), source="admin-edit")


def test_a_mistake_in_the_full_demo_is_located(tmp_path: Path):
    demo_text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    assert demo_text.count('id = "12"\ndepartment = "RSJ"\nqueues = ["E"]') == 1
    text = demo_text.replace(
        'id = "12"\ndepartment = "RSJ"\nqueues = ["E"]', 'id = "12"\ndepartment = "RSJ"\nqueues = ["E", "Z"]'
    )
    (tmp_path / "forms").symlink_to(DEFAULT_CONFIG.parent / "forms")  # the guides' sample forms
    message = refused(tmp_path, text)
    assert message == f'{tmp_path / "hall.toml"}: windows[11] (id "12"): serves unknown queue "Z"'


# --- the manager's board: staffing target, alert thresholds, overflow rules, reserve windows -------

MANAGER_SECTIONS = """
[staffing]
share = 0.9
wait_minutes = 10
interval_minutes = 15

[alerts]
longest_wait_minutes = 25
queue_longest_wait_minutes = { B = 40 }
pause_minutes = { "午休" = 60 }
other_pause_minutes = 20

[[overflow]]
name = "A-to-2"
queue = "A"
window = 2
waiting_over = 10
longest_wait_minutes_over = 20

[[overflow]]
name = "C-auto"
queue = "C"
window = "1"
weight = 2
waiting_over = 3
automatic = true
"""


def test_demo_has_a_staffing_target_alerts_overflow_rules_and_reserve_windows(demo: Hall):
    assert (demo.staffing.share, demo.staffing.wait_minutes, demo.staffing.interval_minutes) == (0.8, 15, 30)
    assert demo.staffing.wait_s == 900
    assert demo.alerts.longest_wait_for("C") > demo.alerts.longest_wait_for("A") == 30
    assert demo.alerts.pause_limit_for("午休") == 90 and demo.alerts.pause_limit_for("去银行") == 30
    assert demo.overflow and any(r.automatic for r in demo.overflow) and any(not r.automatic for r in demo.overflow)
    for rule in demo.overflow:
        assert demo.queue(rule.queue) and demo.window(rule.window) and not demo.window(rule.window).serves(rule.queue)
    reserves = [w for w in demo.windows if w.reserve]
    assert len(reserves) >= 2 and all(w.department and w.queues for w in reserves)
    # Every queue a reserve window serves has a regular window too (article 26).
    assert all(any(not w.reserve for w in demo.windows_serving(q.code)) for q in demo.queues)


def test_manager_sections_load():
    hall = loads_hall(BASE + MANAGER_SECTIONS)
    assert (hall.staffing.share, hall.staffing.wait_s, hall.staffing.interval_minutes) == (0.9, 600, 15)
    assert hall.alerts.longest_wait_for("B") == 40 and hall.alerts.longest_wait_for("A") == 25
    assert hall.alerts.pause_limit_for(" 午休 ") == 60 and hall.alerts.pause_limit_for("会议") == 20
    first, second = hall.overflow
    assert (first.name, first.queue, first.window, first.weight, first.automatic) == ("A-to-2", "A", "2", 1, False)
    assert (first.waiting_over, first.longest_wait_minutes_over) == (10, 20.0)
    assert (second.weight, second.automatic, second.longest_wait_minutes_over) == (2, True, None)


def test_manager_sections_default_when_left_out():
    hall = loads_hall(BASE)
    assert (hall.staffing.share, hall.staffing.wait_minutes, hall.staffing.interval_minutes) == (0.8, 15, 30)
    assert hall.alerts.longest_wait_minutes == 30 and hall.alerts.pause_limit_for("暂时离开") == 15
    assert hall.overflow == () and not any(w.reserve for w in hall.windows)


def test_a_reserve_window_is_read():
    hall = loads_hall(variant('id = "2"', 'id = "2"\nreserve = true').replace(
        'queues = ["B"]', 'queues = ["B"]\n\n[[windows]]\nid = "4"\ndepartment = "GA"\nqueues = ["B"]', 1))
    assert hall.window("2").reserve and not hall.window("4").reserve


MANAGER_CASES = {
    "typo in staffing": ("share = 0.9", "shaer = 0.9", ['staffing: unknown key "shaer" (did you mean "share"?)']),
    "share of one": ("share = 0.9", "share = 1.0", ["staffing: share: should be less than 1"]),
    "interval not dividing an hour": (
        "interval_minutes = 15", "interval_minutes = 25", ["staffing: interval_minutes: should be"]),
    "wait as text": ("wait_minutes = 10", 'wait_minutes = "10"', ["staffing: wait_minutes: should be a number"]),
    "alert for an unknown queue": (
        "{ B = 40 }", "{ Z = 40 }", ['alerts: queue_longest_wait_minutes: unknown queue "Z"']),
    "pause limit of zero": (
        '{ "午休" = 60 }', '{ "午休" = 0 }', ["alerts: pause_minutes.午休: should be greater than 0"]),
    "typo in alerts": (
        "other_pause_minutes = 20", "other_pause_minute = 20",
        ['alerts: unknown key "other_pause_minute" (did you mean "other_pause_minutes"?)']),
    "rule without condition": (
        "waiting_over = 10\nlongest_wait_minutes_over = 20\n", "",
        ['overflow[0] (name "A-to-2"): has no condition; set waiting_over, longest_wait_minutes_over or both']),
    "rule for an unknown window": ("window = 2", "window = 9", ['overflow[0] (name "A-to-2"): unknown window "9"']),
    "rule for an unknown queue": (
        'queue = "C"\nwindow', 'queue = "CC"\nwindow', ['overflow[1] (name "C-auto"): unknown queue "CC"']),
    "typo in a rule": (
        "weight = 2\nwaiting_over = 3", "wieght = 2\nwaiting_over = 3",
        ['overflow[1] (name "C-auto"): unknown key "wieght" (did you mean "weight"?)']),
    "rule weight of zero": (
        "weight = 2\nwaiting_over = 3", "weight = 0\nwaiting_over = 3",
        ['overflow[1] (name "C-auto"): weight: should be greater']),
    "two rules of one name": (
        'name = "C-auto"', 'name = "A-to-2"', ['overflow[0] (name "A-to-2"): name "A-to-2" is used twice']),
    "automatic as text": (
        "automatic = true", 'automatic = "yes"', ['overflow[1] (name "C-auto"): automatic: should be']),
}


@pytest.mark.parametrize("old,new,expected", list(MANAGER_CASES.values()), ids=list(MANAGER_CASES))
def test_manager_section_mistake_is_refused_naming_the_entry(tmp_path: Path, old: str, new: str, expected: list[str]):
    text = BASE + MANAGER_SECTIONS
    assert text.count(old) == 1, old
    message = refused(tmp_path, text.replace(old, new))
    for part in expected:
        assert part in message, message


def test_a_queue_served_only_by_reserve_windows_is_refused(tmp_path: Path):
    message = refused(tmp_path, variant('id = "2"', 'id = "2"\nreserve = true'))
    assert 'queues.B: only reserve windows serve this queue, and they are closed by default' in message


@pytest.mark.parametrize(("code", "district"), [("west", "西城区"), ("east", "东城区")])
def test_a_district_hall_names_its_own_review_body_and_court(code, district):
    """A west refusal named the municipal government and "某市某区人民法院": a district's departments
    answer to the district."""
    appeal = load_hall(REPO / "config" / "halls" / f"{code}.toml").appeal
    assert (appeal.review_body, appeal.court) == (f"{district}人民政府", f"{district}人民法院")
    assert appeal.court_en.endswith("District People's Court") and "某" not in appeal.review_body
