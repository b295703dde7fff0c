from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users keyed by their Better Auth id, and the JWT authentication."""

    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from . import checks, schema  # noqa: F401  (register the system checks, the OpenAPI scheme)
