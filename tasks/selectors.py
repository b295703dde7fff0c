"""Reading tasks: owner scoping in one place (the API, the admin and the user-data functions)."""

from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import User

from .models import Task


def task_list_for(*, user: User, user_active: bool = False) -> QuerySet[Task]:
    """Every task of ``user`` and no other, newest first (``Task.Meta.ordering``).

    A task outside this set is "not found" to that user, whether or not it exists. With
    ``user_active``, the query also checks the account (a join on the user's ``is_active``):
    no row at all while the user is deactivated, so a request that skipped its own user
    query is refused as soon as it reads a row.
    """
    tasks = Task.objects.filter(user_id=user.pk)
    return tasks.filter(user__is_active=True) if user_active else tasks


def task_with_links(*, queryset: QuerySet[Task]) -> QuerySet[Task]:
    """``queryset`` with each task's ``next_occurrence_id`` (None: it spawned none, or it is gone).

    A correlated subquery on the unique ``previous_occurrence`` index, so no extra query per
    task; ``previous_occurrence_id`` is the task's own column.
    """
    next_ids = Task.objects.filter(previous_occurrence=OuterRef("pk")).order_by().values("pk")[:1]
    return queryset.annotate(next_occurrence_id=Subquery(next_ids))
