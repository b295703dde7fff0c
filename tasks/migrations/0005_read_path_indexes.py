"""The task's user key loses its own indexes: ``task_user_created_idx`` leads with it.

Numbered after the task-depth (0003) and sync (0004) migrations being written alongside;
it depends on 0002 here, and on whichever lands before it once they are merged.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0004_sync_versions_idempotency"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Drops tasks_task_user_id_… and, on PostgreSQL, its varchar_pattern_ops twin.
        migrations.AlterField(
            model_name="task",
            name="user",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="tasks",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
