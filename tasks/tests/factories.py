import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from tasks.models import Task


class TaskFactory(factory.django.DjangoModelFactory):
    """A task; ``completed=True`` brings a ``completed_at`` with it."""

    class Meta:
        model = Task

    user = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    description = ""
    completed = False
    completed_at = factory.LazyAttribute(lambda task: timezone.now() if task.completed else None)
