"""Every status and outcome has its words, Chinese first and English second, in one table."""

import pytest

from server.core import cases, labels, tickets

TABLES = [
    (labels.TICKET_STATUS, tickets.Status),
    (labels.CASE_STATUS, cases.Status),
    (labels.OUTCOME, cases.Outcome),
    (labels.OUTCOME, tickets.Outcome),
    (labels.NUMBER_KIND, cases.NumberKind),
    (labels.NUMBER_DATE, cases.NumberKind),
]


@pytest.mark.parametrize(("table", "enum"), TABLES)
def test_every_value_has_chinese_and_english_words_and_no_table_has_more(table, enum):
    assert set(table) == {m.value for m in enum}
    for zh, en in table.values():
        assert any("\u4e00" <= c <= "\u9fff" for c in zh) and en.isascii() and en


def test_a_status_looks_up_by_its_enum_and_reads_as_the_api_carries_it():
    assert labels.label(labels.CASE_STATUS, cases.Status.NOTICED) == {"zh": "已一次性告知",
                                                                      "en": "Notified of missing materials"}
    assert labels.words(labels.TICKET_STATUS, tickets.Status.NO_SHOW) == ("已记为未到", "No-show")


def test_a_value_no_table_knows_shows_as_itself():
    assert labels.label(labels.CASE_STATUS, "archived") == {"zh": "archived", "en": "archived"}
