"""Demo data for trying the app: a few users with tasks, created only when missing."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from .models import Priority, Tag, Task, TaskTag
from .services import task_completed_at
from .tags import tag_key

DEMO_USER_ID_PREFIX = "demo_user_"
DEMO_EMAIL_DOMAIN = "demo.example.com"
MAX_DEMO_USERS = 1000
MAX_DEMO_TASKS_PER_USER = 1000

# Title, tags, recurrence: a realistic mix of what the frontends show.
_TASKS = (
    ("Buy milk", ["shopping", "home"], None),
    ("Water the plants", ["home"], "FREQ=WEEKLY"),
    ("Call the dentist", ["health"], None),
    ("Renew passport", ["admin", "travel"], None),
    ("Book train tickets", ["travel"], None),
    ("Write the weekly report", ["work"], "FREQ=WEEKLY;BYDAY=FR"),
    ("Pay the electricity bill", ["home", "bills"], "FREQ=MONTHLY"),
    ("Return library books", [], None),
    ("Plan the weekend hike", ["travel", "fun"], None),
    ("Back up the laptop", ["work", "admin"], None),
)
_TITLES = tuple(title for title, _, _ in _TASKS)
_PRIORITIES = (Priority.MEDIUM, Priority.HIGH, Priority.LOW, Priority.MEDIUM, Priority.HIGH)


@dataclass(frozen=True)
class DemoSeedResult:
    users_created: int
    tasks_created: int
    user_ids: tuple[str, ...]


def demo_user_id(number: int) -> str:
    return f"{DEMO_USER_ID_PREFIX}{number:04d}"


def demo_task_title(number: int) -> str:
    return f"{_TITLES[(number - 1) % len(_TITLES)]} (demo #{number})"


@transaction.atomic
def demo_seed(*, users: int = 3, tasks: int = 10) -> DemoSeedResult:
    """Makes sure ``users`` demo users exist, each with demo tasks 1 to ``tasks``.

    Idempotent: what exists (by user id, and by task title per user) is left alone, so a
    second run creates nothing, and a run with larger numbers only adds the difference.
    Every third task is completed; they have priorities, tags, past and future due dates, and
    a few recur weekly or monthly. Demo users are Better Auth-style users without a password:
    use ``issue_dev_token demo_user_0001`` to call the API as one.
    """
    # The one place of this rule: seed_demo turns the ValueError into its CommandError.
    if not 1 <= users <= MAX_DEMO_USERS:
        raise ValueError(f"users must be between 1 and {MAX_DEMO_USERS}, not {users}.")
    if not 1 <= tasks <= MAX_DEMO_TASKS_PER_USER:
        raise ValueError(f"tasks must be between 1 and {MAX_DEMO_TASKS_PER_USER}, not {tasks}.")
    now = timezone.now()
    user_ids = [demo_user_id(n) for n in range(1, users + 1)]

    existing_users = set(User.objects.filter(pk__in=user_ids).values_list("pk", flat=True))
    unusable_password = make_password(None)
    new_users = [
        User(
            id=user_id,
            email=f"{user_id.replace('_', '-')}@{DEMO_EMAIL_DOMAIN}",
            name=f"Demo User {number}",
            password=unusable_password,
            date_joined=now,
        )
        for number, user_id in enumerate(user_ids, start=1)
        if user_id not in existing_users
    ]
    # save() is what lower-cases emails; these are lower case already.
    User.objects.bulk_create(new_users)

    titles = [demo_task_title(n) for n in range(1, tasks + 1)]
    existing_tasks = set(
        Task.objects.filter(user_id__in=user_ids, title__in=titles).values_list("user_id", "title")
    )
    new_tasks = []
    for user_id in user_ids:
        for number, title in enumerate(titles, start=1):
            if (user_id, title) in existing_tasks:
                continue
            new_tasks.append(_demo_task(user_id=user_id, number=number, title=title, now=now))
    Task.objects.bulk_create(new_tasks, batch_size=1000)
    _demo_tags(new_tasks)
    return DemoSeedResult(
        users_created=len(new_users), tasks_created=len(new_tasks), user_ids=tuple(user_ids)
    )


def _demo_task(*, user_id: str, number: int, title: str, now: datetime) -> Task:
    """Every third completed; due dates from two days ago to four ahead (a quarter without),
    some with a reminder half an hour before; the series' tasks recurring."""
    _, _, recurrence = _TASKS[(number - 1) % len(_TASKS)]
    completed = number % 3 == 0
    due_at = None
    if number % 4 or recurrence:
        day = now.replace(hour=17, minute=0, second=0, microsecond=0)
        due_at = day + timedelta(days=number % 7 - 2)
    task = Task(
        user_id=user_id,
        title=title,
        description="Created by seed_demo." if number % 2 else None,
        completed=completed,
        completed_at=task_completed_at(completed=completed),
        priority=_PRIORITIES[number % len(_PRIORITIES)],
        due_at=due_at,
        remind_at=due_at - timedelta(minutes=30) if due_at and number % 3 == 1 else None,
        recurrence=recurrence,
        series_start=due_at if recurrence else None,
    )
    task.demo_number = number
    return task


def _demo_tags(tasks: list[Task]) -> None:
    """The tasks' tags, in three queries whatever the number of users and tasks."""
    wanted = {
        (task.user_id, name) for task in tasks for name in _TASKS[(task.demo_number - 1) % len(_TASKS)][1]
    }
    Tag.objects.bulk_create(
        [Tag(user_id=user_id, name=name, key=tag_key(name)) for user_id, name in wanted],
        ignore_conflicts=True,
    )
    user_ids = {task.user_id for task in tasks}
    tags = {(tag.user_id, tag.key): tag.pk for tag in Tag.objects.filter(user_id__in=user_ids)}
    TaskTag.objects.bulk_create(
        [
            TaskTag(
                task=task, tag_id=tags[task.user_id, tag_key(name)], user_id=task.user_id, position=position
            )
            for task in tasks
            for position, name in enumerate(_TASKS[(task.demo_number - 1) % len(_TASKS)][1])
        ],
        batch_size=1000,
    )
