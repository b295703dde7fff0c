"""The "Support" group for support staff in the admin (see accounts/roles.py), with its
rights on users; each app above grants its own share in a migration of its own."""

from django.db import migrations

from accounts.roles import SUPPORT_GROUP_NAME, support_group_grant

# Frozen here, as a migration must be: what AccountsConfig.support_permissions said then.
PERMISSIONS = (("accounts", "view_user"),)


def create_support_group(apps, schema_editor):
    support_group_grant(apps=apps, using=schema_editor.connection.alias, permissions=PERMISSIONS)


def delete_support_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=SUPPORT_GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_support_group, delete_support_group),
    ]
