"""Everything stored about one user, across the apps: export it, count it, erase it."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import User
from tasks.models import Tag, Task
from tasks.selectors import task_list_for
from tasks.tags import tag_names_by_task

# Every column of a task, so a field added to the model is exported without a change here;
# its many-to-many fields (the tags) as lists of names.
TASK_EXPORT_FIELDS = tuple(field.attname for field in Task._meta.concrete_fields)
TASK_EXPORT_LISTS = tuple(field.name for field in Task._meta.many_to_many)


def user_export_data(*, user_id: str) -> dict:
    """Everything stored about the user, as JSON-ready data (a data subject access request).

    Raises ``User.DoesNotExist`` for an unknown id. The password hash is not personal data
    anyone can use and is left out.
    """
    user = User.objects.get(pk=user_id)
    tasks = list(task_list_for(user=user).order_by("created_at", "id").values(*TASK_EXPORT_FIELDS))
    # One query for every task's tags, whatever their number.
    tags = tag_names_by_task(task["id"] for task in tasks)
    if TASK_EXPORT_LISTS != ("tags",):  # a new many-to-many needs its own reader here
        raise NotImplementedError(f"Export the task's {', '.join(TASK_EXPORT_LISTS)}.")
    return {
        "exported_at": _iso(timezone.now()),
        "user": {
            "id": user.pk,
            "email": user.email,
            "name": user.name,
            "date_joined": _iso(user.date_joined),
            "last_seen": _iso(user.last_seen),
            "last_login": _iso(user.last_login),
            "is_active": user.is_active,
            "is_staff": user.is_staff,
        },
        "tasks": [
            {**{name: _json_value(value) for name, value in task.items()}, "tags": tags.get(task["id"], [])}
            for task in tasks
        ],
        "tags": list(Tag.objects.filter(user=user).order_by("key").values_list("name", flat=True)),
    }


@dataclass(frozen=True)
class UserData:
    """What is stored about one user: what ``user_delete_data`` removes."""

    user_id: str
    email: str | None
    tasks: int
    admin_log_entries: int


def user_data_summary(*, user_id: str) -> UserData:
    """How much is stored about the user; raises ``User.DoesNotExist`` for an unknown id."""
    user = User.objects.get(pk=user_id)
    return UserData(
        user_id=user.pk,
        email=user.email,
        tasks=task_list_for(user=user).count(),
        admin_log_entries=_admin_log_entries_about(user).count(),
    )


def user_delete_data(*, user_id: str) -> UserData:
    """Erases the user, their tasks and the admin history about them, in one transaction.

    Raises ``User.DoesNotExist`` for an unknown id. Returns what was removed. A Better Auth
    user who signs in again afterwards is created anew, empty: erase them there first.
    """
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        # The admin's history names the user and their tasks (object_repr is the title).
        log_entries, _ = _admin_log_entries_about(user).delete()
        tasks, _ = task_list_for(user=user).delete()
        removed = UserData(user_id=user.pk, email=user.email, tasks=tasks, admin_log_entries=log_entries)
        user.delete()
    return removed


def _admin_log_entries_about(user: User):
    task_type = ContentType.objects.get_for_model(Task)
    user_type = ContentType.objects.get_for_model(User)
    # LogEntry.object_id is text; compare it with the task ids as text, in the database.
    task_ids = task_list_for(user=user).annotate(id_text=Cast("pk", models.TextField())).values("id_text")
    return LogEntry.objects.filter(
        models.Q(content_type=user_type, object_id=user.pk)
        | models.Q(content_type=task_type, object_id__in=task_ids)
    )


def _json_value(value: object) -> object:
    return _iso(value) if isinstance(value, datetime) else value


def _iso(value: datetime | None) -> str | None:
    """UTC ISO 8601 with a ``Z``, as the API writes times."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
