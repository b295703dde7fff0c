"""Querysets compiled to SQL once per connection, then run with new values.

Django compiles a queryset on every evaluation: building it, resolving its joins and
annotations and writing its SQL cost a single-task GET more CPU than the query itself
(about half of its Python time, measured with pyinstrument). A ``PreparedQuery`` builds its
``values()`` queryset once with a marker in place of each value, keeps the SQL, the
markers' places among the parameters and the columns' converters, and runs that SQL with
the real values. Rows are what the queryset itself would give (the test compares them).

Only for queries whose SQL does not depend on the values: a value that changes the SQL
(``None``, a list whose length counts, an out-of-range integer) must be handled by the
caller, and a marker that does not reach the parameters unchanged is refused at compile.
"""

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

from todo_project.pg_cursors import prepared_cursor

# Compilations kept per query and connection (one per variant).
MAX_VARIANTS = 32


def text_stand_in(name: str) -> str:
    """A text marker no real value equals: no stored text holds a NUL (PostgreSQL refuses one)."""
    return f"\x00{name}\x00"


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: callers key caches by it
class Compiled:
    """One compilation of a prepared query on one connection."""

    sql: str
    params: tuple  # the compiled parameters, markers included
    slots: tuple[tuple[int, str], ...]  # (position in params, the value's name)
    names: tuple[str, ...]
    compiler: SQLCompiler  # bound to its connection: the converters need it
    converters: dict

    def column_converters(self) -> list[Callable | None]:
        """Per column, a function of the value applying Django's converters, or None."""
        connection = self.compiler.connection
        found: list[Callable | None] = [None] * len(self.names)
        for position, (converters, expression) in self.converters.items():

            def convert(value, converters=converters, expression=expression):
                for converter in converters:
                    value = converter(value, expression, connection)
                return value

            found[position] = convert
        return found


class PreparedQuery:
    """``build(**markers)`` -> a ``values()`` queryset; ``rows(**values)`` runs its SQL.

    ``markers`` name each value and give the stand-in it is compiled with: of the value's
    type, and unlike any other parameter of the query. ``variant`` (any hashable) selects
    one of several shapes of the query (``build`` receives it as ``variant=``).
    """

    def __init__(self, build: Callable[..., QuerySet], **markers):
        self._build = build
        self._markers = markers
        self._compiled: WeakKeyDictionary = WeakKeyDictionary()  # connection -> {variant: Compiled}
        self._lock = threading.Lock()

    def rows(self, *, using: str = "default", variant: Hashable = None, **values) -> list[dict]:
        """The rows for these values, as dicts of the queryset's ``values()`` names."""
        compiled, fetched = self.fetch(using=using, variant=variant, **values)
        if compiled.converters:
            fetched = compiled.compiler.apply_converters(fetched, compiled.converters)
        names = compiled.names
        return [dict(zip(names, row, strict=True)) for row in fetched]

    def fetch(self, *, using: str = "default", variant: Hashable = None, **values) -> tuple[Compiled, list]:
        """The compilation and its rows for these values as the driver gives them: tuples in
        ``Compiled.names`` order, before Django's converters (``Compiled.column_converters``)."""
        connection = connections[using]
        compiled = self._compiled_for(connection, variant)
        params = list(compiled.params)
        for position, name in compiled.slots:
            params[position] = values[name]
        with prepared_cursor(connection) as cursor:
            cursor.execute(compiled.sql, params)
            return compiled, cursor.fetchall()

    def _compiled_for(self, connection, variant: Hashable) -> Compiled:
        by_variant = self._compiled.get(connection)
        if by_variant is None or variant not in by_variant:
            with self._lock:
                by_variant = self._compiled.setdefault(connection, {})
                # A variant may come from a request (a page's size): the oldest compilations
                # make room, so no client can grow a worker's memory by varying it.
                while len(by_variant) >= MAX_VARIANTS:
                    del by_variant[next(iter(by_variant))]
                by_variant[variant] = compiled = self._compile(connection, variant)
            return compiled
        return by_variant[variant]

    def _compile(self, connection, variant: Hashable) -> Compiled:
        queryset = self._build(variant=variant, **self._markers)
        query = queryset.query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = tuple(
            (position, name)
            for position, param in enumerate(params)
            for name, marker in self._markers.items()
            if type(param) is type(marker) and param == marker
        )
        missing = set(self._markers) - {name for _, name in slots}
        if missing:
            raise ImproperlyConfigured(f"Not a parameter of the prepared query as given: {sorted(missing)}")
        # As ValuesIterable names the columns.
        names = query.selected or (*query.extra_select, *query.values_select, *query.annotation_select)
        fields = [select[0] for select in compiler.select[: compiler.col_count]]
        return Compiled(
            sql=sql,
            params=tuple(params),
            slots=slots,
            names=tuple(names),
            compiler=compiler,
            converters=compiler.get_converters(fields),
        )


class PreparedInsert:
    """``insert(**values)``: one row of ``model``, its ``INSERT`` written once per connection.

    ``Model.objects.create()`` builds an instance, sends signals, compiles its INSERT and
    reads back the new id on every call: for the Idempotency-Key's row that cost more CPU
    than the round trip itself (pyinstrument). Here each value is prepared for the database
    as ``save()`` prepares it (``get_db_prep_save``) and the one statement is sent. So: no
    signals, no defaults filled in, no new id; for rows nothing else needs to hear about.
    ``fields`` are the model's field names (or attnames, ``user_id``), each given at insert.
    """

    def __init__(self, model, *fields: str):
        self._model = model
        self._names = fields
        self._fields = [model._meta.get_field(name) for name in fields]
        refused = [field.name for field in self._fields if hasattr(field, "get_placeholder")]
        if refused:
            # Such a field writes SQL of its own around its value (a placeholder not "%s").
            raise ImproperlyConfigured(f"Fields with their own placeholder are not supported: {refused}")
        self._sql: WeakKeyDictionary = WeakKeyDictionary()  # connection -> the statement

    def insert(self, *, using: str = "default", **values) -> None:
        """Inserts the row; a value must be given for every field (the attname's: an id)."""
        if values.keys() != set(self._names):
            raise TypeError(f"insert() needs exactly {sorted(self._names)}, got {sorted(values)}")
        connection = connections[using]
        sql = self._sql.get(connection)
        if sql is None:
            quote = connection.ops.quote_name
            columns = ", ".join(quote(field.column) for field in self._fields)
            placeholders = ", ".join(["%s"] * len(self._fields))
            # Names from the model, quoted; every value is a parameter.
            table = quote(self._model._meta.db_table)
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
            self._sql[connection] = sql
        params = [
            field.get_db_prep_save(values[name], connection)
            for name, field in zip(self._names, self._fields, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
