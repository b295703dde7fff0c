from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users keyed by their Better Auth id, and the JWT authentication."""

    name = "accounts"
    verbose_name = "Accounts"
    # What support staff may do with users (accounts.roles): look them up, nothing more.
    support_permissions = ("view_user",)

    def ready(self):
        from . import checks, schema  # noqa: F401  (register the system checks, the OpenAPI scheme)
