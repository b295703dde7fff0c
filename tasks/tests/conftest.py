"""Helpers of the task API tests: the two route families and a snapshot of the database."""

import pytest

from tasks.models import Task

FAMILIES = ("token", "path")


def tasks_url(family: str, user, task_id=None, *, suffix: str = "", slash: bool = False) -> str:
    """``/api/tasks…`` (family "token") or ``/api/{user_id}/tasks…`` (family "path")."""
    url = "/api/tasks" if family == "token" else f"/api/{user.pk}/tasks"
    if task_id is not None:
        url += f"/{task_id}"
    if suffix:
        url += f"/{suffix}"
    return url + "/" if slash else url


def snapshot(user) -> list[tuple]:
    """Every column of every task of ``user``, in a stable order."""
    return list(Task.objects.filter(user=user).order_by("pk").values_list())


@pytest.fixture(params=FAMILIES)
def family(request) -> str:
    """Runs a test once per route family."""
    return request.param


@pytest.fixture(params=[False, True], ids=["no-slash", "slash"])
def slash(request) -> bool:
    """Runs a test once without and once with a trailing slash."""
    return request.param
