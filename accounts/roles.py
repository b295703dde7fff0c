"""Staff roles: the "Support" group and what it may do, defined here once.

The data migration that creates the group, ``create_support_user`` and the tests all
read these names, so the group's rights are written down in one place.
"""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

SUPPORT_GROUP_NAME = "Support"

# (app label, codename): support staff look at users and look at and fix tasks.
# Nothing here deletes, and nothing edits a user.
SUPPORT_GROUP_PERMISSIONS = (
    ("accounts", "view_user"),
    ("tasks", "view_task"),
    ("tasks", "change_task"),
)


def support_group_ensure(*, apps=global_apps, using: str = DEFAULT_DB_ALIAS):
    """The Support group, created when missing, with at least its permissions.

    ``apps`` is the migration's historical registry when a migration calls it. Rights an
    administrator added to the group by hand are kept; missing ones are added.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=SUPPORT_GROUP_NAME)
    permissions = []
    for app_label, codename in SUPPORT_GROUP_PERMISSIONS:
        try:
            permissions.append(
                Permission.objects.using(using).get(content_type__app_label=app_label, codename=codename)
            )
        except Permission.DoesNotExist:
            raise LookupError(f"Permission {app_label}.{codename} does not exist (migrate first).") from None
    group.permissions.add(*permissions)
    return group
