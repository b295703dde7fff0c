"""Statements held for the COMMIT: sent with it, their errors raised by it, rolled back with it."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from tasks.models import IdempotencyKey
from todo_project.prepared import PreparedInsert
from todo_project.sent_with_commit import sent_with_commit

# A statement whose answer nobody reads (no RETURNING), as the Idempotency-Key's row is.
KEY_ROW = PreparedInsert(IdempotencyKey, "user_id", "key", "fingerprint", "created_at", "location", "etag")

pytestmark = pytest.mark.django_db(transaction=True)  # the block must end in a real COMMIT


def store(user, key: str) -> None:
    KEY_ROW.insert(user_id=user.pk, key=key, fingerprint="f", created_at=timezone.now(), location="", etag="")


def keys(user) -> list[str]:
    return sorted(IdempotencyKey.objects.filter(user=user).values_list("key", flat=True))


def test_what_is_held_commits_with_the_rest():
    user = UserFactory()
    with sent_with_commit() as hold, transaction.atomic():
        store(user, "before")
        hold()
        store(user, "held")

    assert keys(user) == ["before", "held"]


def test_an_error_of_a_held_statement_comes_from_the_commit_and_rolls_everything_back():
    user = UserFactory()
    store(user, "taken")
    reached_the_end = False
    with pytest.raises(IntegrityError), sent_with_commit() as hold, transaction.atomic():
        store(user, "before")
        hold()
        store(user, "taken")  # breaks the (user, key) uniqueness
        reached_the_end = True

    # On PostgreSQL the duplicate was only sent with the COMMIT; elsewhere it failed at once.
    assert reached_the_end == (connection.vendor == "postgresql")
    assert keys(user) == ["taken"]
    assert UserFactory()  # the connection is usable afterwards


def test_inside_another_transaction_nothing_is_held():
    user = UserFactory()
    with (
        transaction.atomic(),
        pytest.raises(IntegrityError),
        sent_with_commit() as hold,
        transaction.atomic(),
    ):
        store(user, "x")
        hold()
        store(user, "x")  # fails at once: a savepoint's release would hold the error
    assert keys(user) == []
