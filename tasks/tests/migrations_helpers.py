"""Moving the test database to a migration and back, for the migration tests."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    """Every app's last migration: where the rest of the suite expects the schema."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
