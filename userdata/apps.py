from django.apps import AppConfig


class UserDataConfig(AppConfig):
    """A user's data across the apps: the admin's user pages with their tasks, export, erasure.

    The top of the stack: it knows ``accounts`` and ``tasks``; neither knows it.
    """

    name = "userdata"
    verbose_name = "User data"
