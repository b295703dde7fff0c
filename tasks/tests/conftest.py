"""Fixtures of the task tests (helpers: ``tasks.tests.helpers``)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tasks.models import Priority
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import FAMILIES, make_task, put_tags, tasks_url
from tasks.tests.migrations_helpers import latest, migrate


@pytest.fixture(params=FAMILIES)
def family(request) -> str:
    """Runs a test once per route family."""
    return request.param


@pytest.fixture(params=[False, True], ids=["no-slash", "slash"])
def slash(request) -> bool:
    """Runs a test once without and once with a trailing slash."""
    return request.param


@pytest.fixture
def mixed(user, other_user):
    """Tasks with distinct times and ties: equal titles and equal created_at.

    Titles are lower-case ASCII, so Python sorts them as any database collation does.
    """
    tasks = [
        make_task(user, minutes=5, title="banana", description="Yellow fruit"),
        make_task(user, minutes=1, updated_minutes=9, title="apple", completed=True),
        make_task(user, minutes=3, title="cherry", description=None),
        make_task(user, minutes=3, title="banana", completed=True),
        make_task(user, minutes=3, updated_minutes=1, title="date", description="sweet MILK"),
        make_task(user, minutes=7, title="banana"),
        make_task(user, minutes=2, title="elder", completed=True),
    ]
    make_task(other_user, minutes=4, title="banana")
    return tasks


@pytest.fixture
def planned(user, other_user) -> dict:
    """Tasks by name with priorities, tags, due dates, reminders and a recurrence, around now.

    "report" carries two tags that contain "work" (a join would list it twice); "Work" and
    "work" are one tag; "read" mentions work only in its description; another user's task
    carries a tag "work" of its own.
    """
    now, day = timezone.now(), timedelta(days=1)
    specs = {
        "report": ("high", now - 2 * day, now - 3 * day, None, False, ["Work", "urgent", "homework"]),
        "groceries": ("medium", now + day, now + day / 2, None, False, ["home", "shopping"]),
        "gym": ("low", now + 3 * day, None, "FREQ=WEEKLY", False, ["health"]),
        "taxes": ("high", now - day, now - 2 * day, None, True, ["work"]),
        "read": ("low", None, None, None, False, []),
        "call mom": ("medium", None, now + day / 4, None, False, ["Family"]),
        "plan": ("high", now + day, None, None, False, []),  # the same due date as groceries
    }
    tasks = {}
    for minutes, (title, (priority, due, remind, rule, done, tags)) in enumerate(specs.items()):
        tasks[title] = make_task(
            user,
            minutes=minutes,
            title=title,
            description="about work habits" if title == "read" else "",
            priority=Priority[priority.upper()],
            due_at=due,
            remind_at=remind,
            recurrence=rule,
            completed=done,
        )
        put_tags(tasks[title], *tags)
    put_tags(make_task(other_user, minutes=1, title="secret work", due_at=now - day), "work")
    return tasks


@pytest.fixture
def task(user):
    """The user's only task, "original"/"original"; a module may define its own ``task``."""
    return TaskFactory(user=user, title="original", description="original")


@pytest.fixture(params=["create", "put", "patch"])
def write(request, user, user_client, task):
    """``write(body)``: sends a body to one of the writing routes, as JSON unless it is bytes."""
    method, url = {
        "create": ("post", tasks_url("token", user)),
        "put": ("put", tasks_url("token", user, task.pk)),
        "patch": ("patch", tasks_url("token", user, task.pk)),
    }[request.param]

    def _write(body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body)
        return getattr(user_client, method)(url, data=data, content_type=content_type)

    return _write


@pytest.fixture
def quiet_client(user, token_for):
    """A client that shows a server error as its status, as a real server would."""
    from rest_framework.test import APIClient

    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    return client


@pytest.fixture
def back_to_latest():
    """A migration test goes back to an older migration (unapplying the later ones too):
    every migration is applied again afterwards, where the rest of the suite expects it."""
    yield
    migrate(latest())
