"""Each kind of error has one HTTP status, in one table (server/web/errors.py STATUS), and every
error the server raises, the core's, the handlers' and the transport's own, has a kind in it."""

import importlib
import inspect
import pkgutil

import pytest

import server.app
import server.core
from server.core.errors import DomainError
from server.web.errors import STATUS, ApiError


def domain_errors() -> list[type[DomainError]]:
    found: set[type[DomainError]] = set()
    for package in (server.core, server.app):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            found |= {c for _, c in inspect.getmembers(module, inspect.isclass) if issubclass(c, DomainError)}
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


@pytest.mark.parametrize("error", domain_errors(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_kind_has_its_status_in_the_one_table(error):
    assert error.kind in STATUS


@pytest.mark.parametrize(("status", "kind"), [(400, "invalid"), (401, "unauthorized"), (404, "not_found"),
                                              (503, "unavailable")])
def test_a_transport_error_given_by_its_status_is_of_the_kind_the_table_maps_back_to_it(status, kind):
    error = ApiError(status, "x", "why")
    assert error.kind == kind and STATUS[error.kind] == status
