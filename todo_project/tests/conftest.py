"""Fixtures for the tests of the project package (helpers: ``testing``)."""

import pytest

from testing.private_postgres import private_postgres


@pytest.fixture(scope="session")
def private_server():
    """A PostgreSQL of the test run's own, to stop and freeze; removed at the end."""
    with private_postgres() as server:
        yield server
