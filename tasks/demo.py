"""Demo data for trying the app: a few users with tasks, created only when missing."""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from .models import Task
from .services import task_completed_at

DEMO_USER_ID_PREFIX = "demo_user_"
DEMO_EMAIL_DOMAIN = "demo.example.com"
MAX_DEMO_USERS = 1000
MAX_DEMO_TASKS_PER_USER = 1000

_TITLES = (
    "Buy milk",
    "Water the plants",
    "Call the dentist",
    "Renew passport",
    "Book train tickets",
    "Write the weekly report",
    "Pay the electricity bill",
    "Return library books",
    "Plan the weekend hike",
    "Back up the laptop",
)


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
    Every third task is completed. Demo users are Better Auth-style users without a password:
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
            completed = number % 3 == 0
            new_tasks.append(
                Task(
                    user_id=user_id,
                    title=title,
                    description="Created by seed_demo." if number % 2 else None,
                    completed=completed,
                    completed_at=task_completed_at(completed=completed),
                )
            )
    Task.objects.bulk_create(new_tasks, batch_size=1000)
    return DemoSeedResult(
        users_created=len(new_users), tasks_created=len(new_tasks), user_ids=tuple(user_ids)
    )
