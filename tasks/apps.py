from django.apps import AppConfig


class TasksConfig(AppConfig):
    """Each user's tasks: the model, the API and the operators' commands."""

    name = "tasks"
    verbose_name = "Tasks"
