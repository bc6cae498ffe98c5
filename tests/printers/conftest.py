from collections.abc import Iterator

import pytest

from printers.connections import clear_dummy
from tests.support.escpos_fake import FakePrinter


@pytest.fixture
def fake() -> Iterator[FakePrinter]:
    with FakePrinter() as printer:
        yield printer


@pytest.fixture
def dummy_url() -> Iterator[str]:
    url = "dummy://test"
    clear_dummy(url)
    yield url
    clear_dummy(url)
