import factory

from accounts.tests.factories import UserFactory
from tasks.models import Task
from tasks.services import task_completed_at
from tasks.tags import task_set_tags


class TaskFactory(factory.django.DjangoModelFactory):
    """A task; ``completed=True`` brings a ``completed_at`` with it."""

    class Meta:
        model = Task
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    description = ""
    completed = False
    completed_at = factory.LazyAttribute(lambda task: task_completed_at(completed=task.completed))

    @factory.post_generation
    def tags(task, create, names, **kwargs):
        """``TaskFactory(tags=["work", "home"])``: the user's tags, created as needed."""
        if create and names:
            task_set_tags(task=task, names=list(names), new=True)
