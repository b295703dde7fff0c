"""Racing threads against one database: a barrier releases them together.

Real threads, each with its own database connection. On PostgreSQL they share the test
database. SQLite's in-memory test database is in shared-cache mode, where a writer makes
every other connection fail at once ("database table is locked") instead of waiting as a
file database does; so on SQLite the threads share a temporary file database with the
project's own connection options (busy timeout, BEGIN IMMEDIATE), as in production: the
``race_database`` fixture (root ``conftest.py``) makes it.
"""

import copy
import threading

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connection, connections


def race_database_settings(tmp_path) -> dict | None:
    """None for the test database itself, or the settings of an SQLite file with every table."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        return None
    settings_dict = {**copy.deepcopy(connection.settings_dict), "NAME": str(tmp_path / "race.sqlite3")}
    schema_connection = new_connection(settings_dict)
    try:
        with schema_connection.schema_editor() as editor:
            for model in apps.get_models():
                editor.create_model(model)
    finally:
        schema_connection.close()
    return settings_dict


def new_connection(settings_dict: dict):
    """A connection of the default database's backend, with these settings."""
    return connections[DEFAULT_DB_ALIAS].__class__(copy.deepcopy(settings_dict), alias=DEFAULT_DB_ALIAS)


def run_at_once(race_database: dict | None, count: int, function) -> list[object]:
    """``function()`` in ``count`` threads released together; their results or exceptions.

    ``race_database`` comes from the ``race_database`` fixture: None for the test database
    itself, or the settings of the SQLite file the threads share instead.
    """
    barrier = threading.Barrier(count, timeout=10)
    results: list[object] = [None] * count

    def worker(index: int) -> None:
        try:
            if race_database is not None:
                connections[DEFAULT_DB_ALIAS] = new_connection(race_database)
            barrier.wait()
            results[index] = function()
        except Exception as exc:  # reported by the test, in its own thread
            results[index] = exc
        finally:
            connections.close_all()  # this thread's connections only

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def there(race_database: dict | None, function):
    """``function()`` run on the database the racing threads share; its result."""
    [result] = run_at_once(race_database, 1, function)
    if isinstance(result, Exception):
        raise result
    return result
