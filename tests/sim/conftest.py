from tests.support.services import pg_url  # noqa: F401 - a fresh PostgreSQL database per test
