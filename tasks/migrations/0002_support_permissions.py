"""Support staff may view and change tasks (see TasksConfig.support_permissions)."""

from django.db import migrations

from accounts.roles import support_group_grant, support_group_revoke

# Frozen here, as a migration must be: what TasksConfig.support_permissions said then.
PERMISSIONS = (("tasks", "view_task"), ("tasks", "change_task"))


def grant(apps, schema_editor):
    support_group_grant(apps=apps, using=schema_editor.connection.alias, permissions=PERMISSIONS)


def revoke(apps, schema_editor):
    support_group_revoke(apps=apps, using=schema_editor.connection.alias, permissions=PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0001_initial"),
        ("accounts", "0002_support_group"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
    ]
