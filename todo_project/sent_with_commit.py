"""Statements whose answer nobody reads, sent together with the COMMIT (PostgreSQL).

A statement that ends a transaction (the Idempotency-Key's row, say) costs a round trip of
its own, and the COMMIT after it another. psycopg's pipeline mode queues statements and
sends them when a result is needed: entered just before such a statement, it holds the
statement until the COMMIT, which syncs the pipeline, so the two cost one round trip. An
error of the held statement (a unique violation) comes out of the commit as Django's
``IntegrityError``, and the transaction is rolled back as after any failed commit.

Only in the outermost ``atomic()`` block, where its end is a COMMIT: inside another (a test's
transaction) a savepoint's release would hold the error past Django's error handling. There,
and on SQLite, each statement runs as it is sent.
"""

import contextlib
from collections.abc import Callable, Iterator

from django.db import connections


@contextlib.contextmanager
def sent_with_commit(*, using: str = "default") -> Iterator[Callable[[], None]]:
    """Wraps a ``transaction.atomic()`` block (enter it first, so it exits last) and yields
    ``hold``: the statements sent after ``hold()`` go out with the block's COMMIT."""
    connection = connections[using]
    with contextlib.ExitStack() as stack:

        def hold() -> None:
            outermost = connection.in_atomic_block and not connection.savepoint_ids
            if connection.vendor == "postgresql" and outermost and connection.connection is not None:
                stack.enter_context(connection.connection.pipeline())

        yield hold
