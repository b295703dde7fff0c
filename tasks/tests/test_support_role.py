"""The tasks share of the Support group: declared in TasksConfig, granted by a migration."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import connection

from accounts.roles import SUPPORT_GROUP_NAME, support_permissions

pytestmark = pytest.mark.django_db

grant_migration = importlib.import_module("tasks.migrations.0002_support_permissions")


class _SchemaEditor:
    connection = connection


def task_permissions_of_the_group() -> set[tuple[str, str]]:
    group = Group.objects.get(name=SUPPORT_GROUP_NAME)
    return set(
        group.permissions.filter(content_type__app_label="tasks").values_list(
            "content_type__app_label", "codename"
        )
    )


def test_support_may_view_and_change_tasks_but_not_add_or_delete_them():
    assert {(label, name) for label, name in support_permissions() if label == "tasks"} == {
        ("tasks", "view_task"),
        ("tasks", "change_task"),
    }
    assert task_permissions_of_the_group() == {("tasks", "view_task"), ("tasks", "change_task")}


def test_migration_grants_the_share_and_its_reverse_takes_only_it_back():
    group = Group.objects.get(name=SUPPORT_GROUP_NAME)
    before_other = set(group.permissions.exclude(content_type__app_label="tasks"))

    grant_migration.revoke(apps, _SchemaEditor())
    assert task_permissions_of_the_group() == set()
    assert set(group.permissions.all()) == before_other

    grant_migration.grant(apps, _SchemaEditor())
    grant_migration.grant(apps, _SchemaEditor())  # again: nothing changes
    assert task_permissions_of_the_group() == set(grant_migration.PERMISSIONS)
    assert set(group.permissions.exclude(content_type__app_label="tasks")) == before_other


def test_migration_creates_missing_task_permissions_first():
    Permission.objects.filter(content_type__app_label="tasks").delete()

    grant_migration.grant(apps, _SchemaEditor())

    assert task_permissions_of_the_group() == set(grant_migration.PERMISSIONS)
