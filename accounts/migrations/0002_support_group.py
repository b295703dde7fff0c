"""The "Support" group for support staff in the admin (see accounts/roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts.roles import SUPPORT_GROUP_NAME, SUPPORT_GROUP_PERMISSIONS, support_group_ensure


def create_support_group(apps, schema_editor):
    using = schema_editor.connection.alias
    # Permissions are normally created after the whole migrate run (post_migrate); on a
    # fresh database they do not exist yet at this point, so create them now.
    for app_label in sorted({app_label for app_label, _ in SUPPORT_GROUP_PERMISSIONS}):
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
    support_group_ensure(apps=apps, using=using)


def delete_support_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=SUPPORT_GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("tasks", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_support_group, delete_support_group),
    ]
