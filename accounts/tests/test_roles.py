"""The Support group: each app's declared share, the migration that grants it, ``support_group_ensure``."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import connection

from accounts.roles import SUPPORT_GROUP_NAME, support_group_ensure, support_permissions

pytestmark = pytest.mark.django_db

support_migration = importlib.import_module("accounts.migrations.0002_support_group")


class _SchemaEditor:
    connection = connection


def group_permissions() -> set[tuple[str, str]]:
    group = Group.objects.get(name=SUPPORT_GROUP_NAME)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def test_each_app_declares_its_own_share():
    assert all(
        app_label != "accounts" or codename == "view_user" for app_label, codename in support_permissions()
    )


def test_the_migrated_group_holds_every_declared_permission_and_no_other():
    # What the test database's migrations (this app's and the apps' above) have granted.
    assert group_permissions() == set(support_permissions())


def test_migration_creates_the_group_and_its_reverse_deletes_it():
    Group.objects.filter(name=SUPPORT_GROUP_NAME).delete()

    support_migration.create_support_group(apps, _SchemaEditor())
    assert group_permissions() == set(support_migration.PERMISSIONS)
    support_migration.create_support_group(apps, _SchemaEditor())  # again: nothing changes
    assert group_permissions() == set(support_migration.PERMISSIONS)
    assert Group.objects.filter(name=SUPPORT_GROUP_NAME).count() == 1

    support_migration.delete_support_group(apps, _SchemaEditor())
    assert not Group.objects.filter(name=SUPPORT_GROUP_NAME).exists()


def test_migration_creates_missing_permissions_first():
    """On a fresh database permissions are made after migrate; the migration makes its own."""
    Permission.objects.filter(content_type__app_label="accounts").delete()
    Group.objects.filter(name=SUPPORT_GROUP_NAME).delete()

    support_migration.create_support_group(apps, _SchemaEditor())

    assert group_permissions() == set(support_migration.PERMISSIONS)


def test_ensure_keeps_rights_an_administrator_added():
    group = support_group_ensure()
    extra = Permission.objects.get(content_type__app_label="auth", codename="view_group")
    group.permissions.add(extra)

    support_group_ensure()

    assert group_permissions() == {*support_permissions(), ("auth", "view_group")}


@pytest.mark.parametrize(("app_label", "codename"), support_permissions())
def test_a_missing_permission_is_a_lookup_error_naming_it(app_label, codename):
    # Deleted inside the test's transaction: rolled back afterwards.
    deleted, _ = Permission.objects.filter(content_type__app_label=app_label, codename=codename).delete()
    assert deleted

    with pytest.raises(
        LookupError, match=rf"^Permission {app_label}\.{codename} does not exist \(migrate first\)\.$"
    ):
        support_group_ensure()
