"""One hierarchy: every error any module of the core raises is a DomainError with a kind and a
code, speaks Chinese (`message_zh`) and names the input at fault when it knows it."""

import importlib
import inspect
import pkgutil

import pytest

import server.core
from server.core.case_errors import IllegalCaseTransition, InvalidApplicant, MissingReason
from server.core.errors import DomainError, IllegalTransition

KINDS = {"invalid", "unauthorized", "forbidden", "not_found", "conflict", "too_many", "unavailable"}


def core_exceptions() -> list[type[BaseException]]:
    found = set()
    for info in pkgutil.iter_modules(server.core.__path__):
        module = importlib.import_module(f"server.core.{info.name}")
        found |= {c for _, c in inspect.getmembers(module, inspect.isclass)
                  if issubclass(c, BaseException) and c.__module__ == module.__name__}
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


def test_the_core_has_errors_in_several_modules():
    assert {c.__module__ for c in core_exceptions()} >= {
        "server.core.errors", "server.core.case_errors", "server.core.idnumber", "server.core.workdays"}


@pytest.mark.parametrize("error", core_exceptions(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_core_error_is_a_domain_error_of_a_known_kind_that_speaks_chinese(error):
    assert issubclass(error, DomainError) and not issubclass(error, ValueError)
    assert error.kind in KINDS and error.code
    assert error is DomainError or error.zh


def test_no_two_core_errors_share_a_name():
    names = [c.__name__ for c in core_exceptions()]
    assert len(names) == len(set(names))


def test_a_docstring_template_is_filled_with_the_details_and_where_comes_first():
    error = MissingReason(what="denial", where="note")
    assert error.message == "note: A denial must state its reason (articles 14 and 16)."
    assert error.details == {"what": "denial"} and error.where == "note" and error.code == "reason_required"
    assert InvalidApplicant(field="phone", why="too short").message_zh == "申请人联系电话有误"


def test_at_names_the_input_of_an_error_raised_without_it():
    error = DomainError("is not valid").at("applicant.id_number", zh="申请人身份证号有误")
    assert (error.message, error.where, error.message_zh) == (
        "applicant.id_number: is not valid", "applicant.id_number", "申请人身份证号有误")


def test_a_bilingual_message_gives_its_chinese_head_as_message_zh():
    assert DomainError("号码已办结 / the ticket is done").message_zh == "号码已办结"


def test_a_case_transition_is_one_illegal_transition_in_words_of_its_statuses():
    error = IllegalCaseTransition(from_status="accepted", to_status="delivered", allowed="in_review")
    assert error.code == IllegalTransition.code and error.kind == "conflict"
    assert error.message_zh == "办件当前为“已受理”，不能改为“已送达”"
