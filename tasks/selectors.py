"""Reading tasks: owner scoping in one place (the API, the admin and the user-data functions)."""

from django.db.models import QuerySet

from accounts.models import User

from .models import Task


def task_list_for(*, user: User) -> QuerySet[Task]:
    """Every task of ``user`` and no other, newest first (``Task.Meta.ordering``).

    A task outside this set is "not found" to that user, whether or not it exists.
    """
    return Task.objects.filter(user_id=user.pk)
