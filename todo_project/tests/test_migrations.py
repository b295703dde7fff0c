"""The committed migrations: in step with the models, and reversible."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

OWN_TABLES = {"accounts_user", "tasks_task"}


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()
    # --check exits non-zero when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_every_migration_reverses_to_zero_and_applies_again():
    call_command("migrate", "tasks", "zero", verbosity=0)
    call_command("migrate", "accounts", "zero", verbosity=0)
    assert not OWN_TABLES & set(connection.introspection.table_names())

    call_command("migrate", verbosity=0)
    assert set(connection.introspection.table_names()) >= OWN_TABLES
