from django.apps import AppConfig


class TasksConfig(AppConfig):
    """Each user's tasks: the model, the API and the operators' commands."""

    name = "tasks"
    verbose_name = "Tasks"
    # What support staff may do with tasks (accounts.roles): find them and fix them, not delete.
    support_permissions = ("view_task", "change_task")
