"""Fixtures of the task API tests: each test once per route family, with and without a slash."""

import pytest

from tasks.tests.helpers import FAMILIES


@pytest.fixture(params=FAMILIES)
def family(request) -> str:
    """Runs a test once per route family."""
    return request.param


@pytest.fixture(params=[False, True], ids=["no-slash", "slash"])
def slash(request) -> bool:
    """Runs a test once without and once with a trailing slash."""
    return request.param
