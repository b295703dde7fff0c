"""A new task's INSERT, with its owner's change number taken by the same statement.

``task.save()`` and ``sync_stamp`` cost a create four round trips (BEGIN, the number, the
INSERT, COMMIT) and the ORM's insert machinery (signals, compiling the statement) about as
much CPU as a round trip. Here the statement is written once per connection and each value
is prepared as ``save()`` prepares it (``pre_save``, ``get_db_prep_save``); nothing listens
to a task's signals. On PostgreSQL the number is a data-modifying ``WITH`` of the INSERT:
one statement, which outside a transaction is the whole write, one round trip. SQLite has
no such ``WITH``: two statements, in the caller's transaction.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from .models import Task
from .sync import sync_stamp_statement

# Every column but the id (the database's) and the version (the change number).
_FIELDS = [field for field in Task._meta.concrete_fields if not field.primary_key and field.name != "version"]
if any(hasattr(field, "get_placeholder") for field in _FIELDS):
    # Such a field writes SQL of its own around its value: a plain "%s" would be wrong.
    raise ImproperlyConfigured("tasks.task_insert does not support fields with their own placeholder.")
_VERSION = Task._meta.get_field("version")
_statements: dict[tuple[str, bool], str] = {}  # (vendor, user_active) -> SQL


def task_insert_is_one_statement() -> bool:
    """Whether ``task_insert`` is a single statement here, so it needs no transaction of its own."""
    return connection.vendor == "postgresql"


def task_insert(*, task: Task, user_active: bool = False) -> bool:
    """Inserts the new ``task`` with its owner's next change number as ``version``; sets its
    id, version and timestamps. With ``user_active``, only if the owner is an active user:
    False, and nothing written, when not (the caller then runs the full account check).

    Outside a transaction only where ``task_insert_is_one_statement()``: the change number
    must commit with its write (``tasks.sync``).
    """
    values = [field.get_db_prep_save(field.pre_save(task, True), connection) for field in _FIELDS]
    with connection.cursor() as cursor:
        if task_insert_is_one_statement():
            cursor.execute(_statement(user_active), [task.user_id, *values])
        else:
            cursor.execute(sync_stamp_statement(user_active=user_active), [task.user_id])
            stamp = cursor.fetchone()
            if stamp is None:
                return False
            cursor.execute(_statement(user_active), [*values, stamp[0]])
        row = cursor.fetchone()
    if row is None:
        return False
    task.pk, task.version = row
    task._state.adding, task._state.db = False, connection.alias
    return True


def _statement(user_active: bool) -> str:
    key = (connection.vendor, user_active)
    if key not in _statements:
        _statements[key] = _write_statement(user_active)
    return _statements[key]


def _write_statement(user_active: bool) -> str:
    quote = connection.ops.quote_name
    table = quote(Task._meta.db_table)
    columns = ", ".join(quote(field.column) for field in [*_FIELDS, _VERSION])
    placeholders = ", ".join(["%s"] * len(_FIELDS))
    returning = f"RETURNING {quote(Task._meta.pk.column)}, {quote(_VERSION.column)}"
    if not task_insert_is_one_statement():
        return f"INSERT INTO {table} ({columns}) VALUES ({placeholders}, %s) {returning}"  # noqa: S608
    # Names from the model, quoted; every value is a parameter.
    stamp = sync_stamp_statement(user_active=user_active)
    return (
        f"WITH stamp AS ({stamp}) "  # noqa: S608
        f"INSERT INTO {table} ({columns}) SELECT {placeholders}, stamp.seq FROM stamp {returning}"
    )
