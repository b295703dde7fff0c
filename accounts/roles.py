"""Staff roles: the "Support" group, whose rights each app declares for its own models.

An app's ``AppConfig.support_permissions`` lists the codenames support staff hold on its
models (``accounts``: view users; ``tasks``: view and change tasks). This module collects
them without knowing the apps, so identity stays at the bottom of the stack; each app's
own data migration grants its share to the group.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS

SUPPORT_GROUP_NAME = "Support"

Permissions = tuple[tuple[str, str], ...]  # (app label, codename) pairs


def support_permissions() -> Permissions:
    """What support staff may do: every installed app's ``support_permissions``, by app label."""
    return tuple(
        (config.label, codename)
        for config in global_apps.get_app_configs()
        for codename in getattr(config, "support_permissions", ())
    )


def support_group_ensure(
    *, apps=global_apps, using: str = DEFAULT_DB_ALIAS, permissions: Permissions | None = None
):
    """The Support group, created when missing, with at least ``permissions`` (default: all).

    ``apps`` is the migration's historical registry when a migration calls it. Rights an
    administrator added to the group by hand are kept; missing ones are added.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=SUPPORT_GROUP_NAME)
    found = []
    for app_label, codename in support_permissions() if permissions is None else permissions:
        try:
            found.append(
                Permission.objects.using(using).get(content_type__app_label=app_label, codename=codename)
            )
        except Permission.DoesNotExist:
            raise LookupError(f"Permission {app_label}.{codename} does not exist (migrate first).") from None
    group.permissions.add(*found)
    return group


def support_group_grant(*, apps, using: str, permissions: Permissions):
    """For a data migration: create ``permissions`` if need be, then give them to the group."""
    # Permissions are normally created after the whole migrate run (post_migrate); on a
    # fresh database they do not exist yet at this point, so create them now.
    for app_label in sorted({app_label for app_label, _ in permissions}):
        app_config = apps.get_app_config(app_label)
        # create_permissions skips an app without a models module, which a historical
        # app config (a stub) never has; lend it one for the call.
        had_models_module = "models_module" in vars(app_config)
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, verbosity=0, using=using, apps=apps)
        finally:
            if had_models_module:
                app_config.models_module = models_module
            else:
                del app_config.models_module
    return support_group_ensure(apps=apps, using=using, permissions=permissions)


def support_group_revoke(*, apps, using: str, permissions: Permissions) -> None:
    """For a data migration's reverse: take ``permissions`` from the group, if it exists."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    granted = Permission.objects.using(using).none()
    for app_label, codename in permissions:
        granted |= Permission.objects.using(using).filter(
            content_type__app_label=app_label, codename=codename
        )
    for group in Group.objects.using(using).filter(name=SUPPORT_GROUP_NAME):
        group.permissions.remove(*granted)
