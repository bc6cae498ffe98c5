"""Document numbers and verification codes (server/core/documents.py) and the public lookups'
budget per address (server/core/public_limit.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.core import documents as d
from server.core.public_limit import Budget, Limiter


def test_a_code_is_80_random_bits_in_crockford_base32_grouped_by_four():
    codes = {d.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:50]:
        assert len(code) == 16 and set(code) <= set(d.CROCKFORD)
        assert not set(code) & set("ILOU")  # nothing to misread
        assert d.grouped(code) == "-".join(code[i:i + 4] for i in (0, 4, 8, 12))
    # Every symbol turns up: the bits are not biased toward a few letters.
    assert set("".join(codes)) == set(d.CROCKFORD)


@pytest.mark.parametrize(("typed", "canonical"), [
    ("7N3R-33NV-QN0X-E4MG", "7N3R33NVQN0XE4MG"),
    ("7n3r 33nv qn0x e4mg", "7N3R33NVQN0XE4MG"),
    ("7N3R33NVQNOXE4MG", "7N3R33NVQN0XE4MG"),  # O read as 0
    ("7N3R-33NV-QNlX-E4MG", "7N3R33NVQN1XE4MG"),  # l read as 1
])
def test_a_typed_code_is_read_back_whatever_its_case_dashes_and_spaces(typed, canonical):
    assert d.canonical_code(typed) == canonical


@pytest.mark.parametrize("typed", ["", "7N3R-33NV-QN0X", "7N3R-33NV-QN0X-E4MGA", "UUUU-UUUU-UUUU-UUUU",
                                   "7N3R/33NV/QN0X/E4MG", "x" * 500])
def test_anything_else_is_no_code(typed):
    assert d.canonical_code(typed) is None


def test_numbers_lead_with_the_hall_and_are_per_department_family_and_year():
    refusal = d.kind_of("refusal")
    assert d.format_number("city", "市监", refusal, 2026, 18) == "CITY-市监不受字〔2026〕18号"
    assert d.format_number("d1", "SCJG", refusal, 2026, 18) == "D1-SCJG不受字〔2026〕18号"
    assert d.counter_name("SCJG", d.kind_of("acceptance"), 2026) == d.counter_name("SCJG", d.kind_of("concluded"),
                                                                                 2026)
    assert d.counter_name("SCJG", refusal, 2026) != d.counter_name("SCJG", refusal, 2027)
    with pytest.raises(ValueError, match="unknown document kind"):
        d.kind_of("receipt")


def test_an_address_gets_its_budget_then_waits_for_the_oldest_to_age_out():
    t0 = datetime(2026, 11, 25, 9, tzinfo=UTC)
    limiter = Limiter(Budget(3, timedelta(minutes=1)))
    assert [limiter.allow("a", t0 + timedelta(seconds=s)) for s in (0, 10, 20)] == [0, 0, 0]
    assert limiter.allow("a", t0 + timedelta(seconds=30)) == 30
    assert limiter.allow("b", t0 + timedelta(seconds=30)) == 0
    assert limiter.allow("a", t0 + timedelta(seconds=61)) == 0


def test_the_limiter_forgets_the_oldest_addresses_when_full():
    t0 = datetime(2026, 11, 25, 9, tzinfo=UTC)
    limiter = Limiter(Budget(1, timedelta(minutes=1)), max_keys=2)
    for key in ("a", "b", "c"):
        assert limiter.allow(key, t0) == 0
    assert limiter.allow("a", t0) == 0  # forgotten
    assert limiter.allow("c", t0) > 0


@pytest.mark.parametrize(("typed", "canonical"), [
    ("CITY-市监受字〔2026〕18号", "CITY-市监受字〔2026〕18号"),
    ("city-市监受字[2026]018号", "CITY-市监受字〔2026〕18号"),
    (" ｃｉｔｙ－市监受字【２０２６】１８号 ", "CITY-市监受字〔2026〕18号"),
    ("d1-SCJG不许字(2026)3号", "D1-SCJG不许字〔2026〕3号"),
    ("市监受字〔2026〕18号", "市监受字〔2026〕18号"),  # printed before the hall's code led the number (issue 16)
])
def test_a_printed_number_is_read_back_with_its_hall(typed, canonical):
    assert d.canonical_doc_number(typed) == canonical


@pytest.mark.parametrize("typed", ["", "CITY-市监受〔2026〕18号", "CITY-市监受字〔26〕18号",
                                   "CITY-市监受字〔2026〕0号"])
def test_anything_else_is_no_printed_number(typed):
    assert d.canonical_doc_number(typed) is None
