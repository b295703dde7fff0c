"""Reading tasks: owner scoping in one place (the API, the admin and the user-data functions)."""

from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import User

from .models import Task


def task_list_for(*, user: User) -> QuerySet[Task]:
    """Every task of ``user`` and no other, newest first (``Task.Meta.ordering``).

    A task outside this set is "not found" to that user, whether or not it exists.
    """
    return Task.objects.filter(user_id=user.pk)


def task_with_links(*, queryset: QuerySet[Task]) -> QuerySet[Task]:
    """``queryset`` with each task's ``next_occurrence_id`` (None: it spawned none, or it is gone).

    A correlated subquery on the unique ``previous_occurrence`` index, so no extra query per
    task; ``previous_occurrence_id`` is the task's own column.
    """
    next_ids = Task.objects.filter(previous_occurrence=OuterRef("pk")).order_by().values("pk")[:1]
    return queryset.annotate(next_occurrence_id=Subquery(next_ids))
