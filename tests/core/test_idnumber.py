from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.core.errors import DomainError
from server.core.idnumber import (
    PROVINCE_CODES,
    FirstGenerationIdNumber,
    IdNumberBirthDate,
    IdNumberCharacters,
    IdNumberCheckDigit,
    IdNumberLength,
    IdNumberRegion,
    InvalidIdNumber,
    check_character,
    validate_id_number,
)

# The example of GB 11643-1999 itself, and one from its annex.
STANDARD_EXAMPLE = "11010519491231002X"
ANNEX_EXAMPLE = "440524188001010014"


@st.composite
def id_numbers(draw):
    region = draw(st.sampled_from(sorted(PROVINCE_CODES))) + draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)))
    first17 = region + born.strftime("%Y%m%d") + draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    return first17 + check_character(first17)


def test_standard_examples_are_valid():
    assert validate_id_number(STANDARD_EXAMPLE) == STANDARD_EXAMPLE
    assert validate_id_number(ANNEX_EXAMPLE) == ANNEX_EXAMPLE


def test_lower_case_x_full_width_and_spaces_are_normalised():
    assert validate_id_number(" 110105 19491231 002x ") == STANDARD_EXAMPLE
    assert validate_id_number("１１０１０５１９４９１２３１００２Ｘ") == STANDARD_EXAMPLE


def test_wrong_length_names_the_length():
    with pytest.raises(IdNumberLength, match="this one has 17"):
        validate_id_number(STANDARD_EXAMPLE[:17])


def test_fifteen_digit_first_generation_number_is_explained():
    with pytest.raises(FirstGenerationIdNumber, match="15-digit"):
        validate_id_number("110105491231002")


def test_letter_inside_names_its_position():
    with pytest.raises(IdNumberCharacters, match="character 5 is 'A'"):
        validate_id_number("1101A519491231002X")


def test_x_only_as_the_last_character():
    with pytest.raises(IdNumberCharacters, match="character 1 is 'X'"):
        validate_id_number("X10105194912310020")


def test_unknown_province_is_refused():
    with pytest.raises(IdNumberRegion, match="starts with 99"):
        validate_id_number("990105194912310021")


def test_impossible_birth_date_is_refused():
    first17 = "11010519990231002"
    with pytest.raises(IdNumberBirthDate, match="no such date"):
        validate_id_number(first17 + check_character(first17))


def test_birth_date_after_today_is_refused_when_today_is_given():
    first17 = "11010520300101002"
    number = first17 + check_character(first17)
    assert validate_id_number(number) == number
    with pytest.raises(IdNumberBirthDate, match="future"):
        validate_id_number(number, today=date(2026, 9, 30))


def test_wrong_check_digit_is_refused():
    with pytest.raises(IdNumberCheckDigit):
        validate_id_number("110105194912310021")


def test_errors_never_repeat_the_number():
    bad = ["110105194912310021", "11010519491231002", "1101A519491231002X", "990105194912310021"]
    for number in bad:
        with pytest.raises(InvalidIdNumber) as raised:
            validate_id_number(number)
        assert "1949" not in str(raised.value)
        assert number[:6] not in str(raised.value)


def test_errors_are_domain_errors_the_api_answers_with_their_code():
    # Once a ValueError of its own hierarchy; now one family with every rule of the core (issue 10).
    assert issubclass(InvalidIdNumber, DomainError)
    with pytest.raises(InvalidIdNumber) as raised:
        validate_id_number("110105194912310021")
    error = raised.value
    assert (error.kind, error.code, error.message_zh) == ("invalid", "invalid_id_number", "身份证号有误")


@given(id_numbers())
def test_generated_numbers_pass(number):
    assert validate_id_number(number) == number


@given(id_numbers(), st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_every_single_character_change_is_caught(number, position, char):
    changed = number[:position] + char + number[position + 1 :]
    if changed != number:
        with pytest.raises(InvalidIdNumber):
            validate_id_number(changed)


@given(id_numbers(), st.integers(min_value=0, max_value=16))
def test_every_adjacent_transposition_is_caught(number, position):
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    if swapped != number:
        with pytest.raises(InvalidIdNumber):
            validate_id_number(swapped)
