"""A task's INSERT and UPDATE, each with its owner's next change number (``tasks.sync``).

``save()`` and ``sync_stamp`` cost a write two statements and the ORM's saving machinery
(signals, compiling the statement): under pyinstrument, more CPU than the round trips
themselves. Here each statement is written once per process and shape, and each value is
prepared as ``save()`` prepares it (``pre_save``, ``get_db_prep_save``); nothing listens to a
task's signals. On PostgreSQL the change number is a data-modifying ``WITH`` of the write:
one statement, which for a new task outside a transaction is the whole create, one round trip
instead of four (BEGIN, number, INSERT, COMMIT). SQLite has no such ``WITH``: two statements.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from todo_project.pg_cursors import prepared_cursor

from .models import Task
from .sync import sync_stamp_statement

# Every column but the id (the database's) and the version (the change number).
_FIELDS = {
    field.attname: field for field in Task._meta.concrete_fields if field.name not in ("id", "version")
}
if any(hasattr(field, "get_placeholder") for field in _FIELDS.values()):
    # Such a field writes SQL of its own around its value: a plain "%s" would be wrong.
    raise ImproperlyConfigured("tasks.stamped_writes does not support fields with their own placeholder.")
_VERSION = Task._meta.get_field("version")
_PK = Task._meta.pk
_statements: dict[tuple, str] = {}  # (vendor, kind, shape) -> SQL


def task_insert_is_one_statement() -> bool:
    """Whether ``task_insert`` is a single statement here, so it needs no transaction of its own."""
    return connection.vendor == "postgresql"


def task_insert(*, task: Task, user_active: bool = False) -> bool:
    """Inserts the new ``task`` with its owner's next change number as ``version``; sets its
    id, version and timestamps. With ``user_active``, only if the owner is an active user:
    False, and nothing written, when not (the caller then runs the full account check).

    Outside a transaction only where ``task_insert_is_one_statement()``: the change number
    must commit with its write.
    """
    if not (task_insert_is_one_statement() or connection.in_atomic_block):
        raise RuntimeError(
            "Here a task's change number and INSERT are two statements: call it in a transaction."
        )
    values = [field.get_db_prep_save(field.pre_save(task, True), connection) for field in _FIELDS.values()]
    row = _stamped(task, _statement("insert", user_active), values, user_active=user_active)
    if row is None:
        return False
    task.pk, task.version = row
    task._state.adding, task._state.db = False, connection.alias
    return True


def task_update_columns(*, task: Task, names: list[str]) -> None:
    """Saves ``task``'s fields ``names`` (attnames) and ``updated_at``, with its owner's next
    change number as ``version``; inside the transaction that holds the task's row lock."""
    if not connection.in_atomic_block:
        raise RuntimeError("A task's change is saved inside the transaction that locked it.")
    names = tuple(dict.fromkeys([*names, "updated_at"]))
    values = [
        _FIELDS[name].get_db_prep_save(_FIELDS[name].pre_save(task, False), connection) for name in names
    ]
    sql = _statement("update", names)
    (task.version,) = _stamped(task, sql, values, where=(task.pk,), user_active=False, prepare=True)


def _stamped(
    task: Task, sql: str, values: list, *, where: tuple = (), user_active: bool, prepare: bool = False
) -> tuple | None:
    """The row ``sql`` returns, run with the owner's change number: on PostgreSQL the ``WITH``
    takes it (the user id its first parameter); elsewhere its own statement runs first, and
    the number is the parameter after ``values`` (and before the ``where`` ones).

    ``prepare``: as a server-side prepared statement where those are on (``pg_cursors``); only
    for the UPDATE, whose ``SET column = value`` gives each value its column's type (an
    INSERT's ``SELECT`` list would leave a NULL's type unknown, so text).
    """
    with prepared_cursor(connection) if prepare else connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql, [task.user_id, *values, *where])
        else:
            cursor.execute(sync_stamp_statement(user_active=user_active), [task.user_id])
            stamp = cursor.fetchone()
            if stamp is None:
                return None
            cursor.execute(sql, [*values, stamp[0], *where])
        return cursor.fetchone()


def _statement(kind: str, shape) -> str:
    key = (connection.vendor, kind, shape)
    if key not in _statements:
        _statements[key] = _insert_sql(shape) if kind == "insert" else _update_sql(shape)
    return _statements[key]


# Only the model's names, quoted, and placeholders go into the SQL; every value is a parameter.


def _insert_sql(user_active: bool) -> str:
    quote = connection.ops.quote_name
    table = quote(Task._meta.db_table)
    columns = ", ".join(quote(field.column) for field in [*_FIELDS.values(), _VERSION])
    placeholders = ", ".join(["%s"] * len(_FIELDS))
    returning = f"RETURNING {quote(_PK.column)}, {quote(_VERSION.column)}"
    if connection.vendor != "postgresql":
        return f"INSERT INTO {table} ({columns}) VALUES ({placeholders}, %s) {returning}"  # noqa: S608
    stamp = sync_stamp_statement(user_active=user_active)
    return (
        f"WITH stamp AS ({stamp}) "  # noqa: S608
        f"INSERT INTO {table} ({columns}) SELECT {placeholders}, stamp.seq FROM stamp {returning}"
    )


def _update_sql(names: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    table = quote(Task._meta.db_table)
    assignments = ", ".join(f"{quote(_FIELDS[name].column)} = %s" for name in names)
    where = f"{table}.{quote(_PK.column)} = %s"
    version = quote(_VERSION.column)
    returning = f"RETURNING {version}"
    if connection.vendor != "postgresql":
        return f"UPDATE {table} SET {assignments}, {version} = %s WHERE {where} {returning}"  # noqa: S608
    stamp = sync_stamp_statement()
    return (
        f"WITH stamp AS ({stamp}) "  # noqa: S608
        f"UPDATE {table} SET {assignments}, {version} = stamp.seq FROM stamp WHERE {where} {returning}"
    )
