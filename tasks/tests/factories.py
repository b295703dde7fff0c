import factory

from accounts.tests.factories import UserFactory
from tasks.models import Task
from tasks.services import task_completed_at


class TaskFactory(factory.django.DjangoModelFactory):
    """A task; ``completed=True`` brings a ``completed_at`` with it."""

    class Meta:
        model = Task

    user = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    description = ""
    completed = False
    completed_at = factory.LazyAttribute(lambda task: task_completed_at(completed=task.completed))
