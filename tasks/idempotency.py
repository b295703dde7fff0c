"""Safe retries: an ``Idempotency-Key`` runs its request once and replays the first answer.

The key is checked as the first statement of the request's own transaction, and its row,
with the answer, is the last: the key, the request's writes and the answer commit together
or not at all (a first request that fails leaves nothing, so the corrected retry runs).
Only a successful (2xx) answer is kept. On SQLite that transaction holds the one write lock,
so it opens for the writes only: the key is looked up before the request's checks, and the
key's row, unique per user, refuses a duplicate that committed meanwhile.

A duplicate that arrives while the first runs: on PostgreSQL the first holds a transaction
advisory lock on the user's key, which the duplicate tries without waiting, so it is 409 at
once. SQLite runs one writer at a time, so the duplicate cannot begin before the first has
committed (or rolled back); it then replays the answer (or runs).
"""

import hashlib
import json
import re
from datetime import timedelta

from django.db import connection
from django.utils import timezone
from rest_framework.exceptions import APIException, ValidationError

from accounts.models import User
from todo_project.prepared import PreparedInsert, PreparedQuery, text_stand_in

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
# How long the first answer is replayed.
KEY_LIFETIME = timedelta(hours=24)
RETRY_AFTER_SECONDS = 1
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]{1,255}")


class IdempotencyKeyReused(APIException):
    """422: the key was first sent with another method, route or body."""

    status_code = 422
    default_code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was used for another request; use a new key."


class IdempotencyInProgress(APIException):
    """409: the first request with this key is still running; retry after ``Retry-After``."""

    status_code = 409
    default_code = "idempotency_in_progress"
    default_detail = "A request with this Idempotency-Key is still running; retry shortly."

    def __init__(self):
        super().__init__()
        self.headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}


def idempotency_key_clean(*, header: str) -> str:
    """The key as sent, when it is 1 to 255 printable ASCII characters; else a 422 on the header."""
    if not _PRINTABLE_ASCII.fullmatch(header):
        raise ValidationError({HEADER: ["Must be 1 to 255 printable ASCII characters."]})
    return header


def idempotency_fingerprint(*, method: str, route: str, body: object) -> str:
    """sha256 of method, route and the body as canonical JSON (key order does not count)."""
    canonical = json.dumps([method, route, body], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency_stored(*, user: User, key: str, fingerprint: str) -> IdempotencyKey | None:
    """The committed answer for ``key`` to replay, or None when the key is free (an expired
    answer is deleted here). ``IdempotencyKeyReused`` if the key was sent with another request."""
    row = IdempotencyKey.objects.filter(user=user, key=key).first()
    if row is None:
        return None
    if row.created_at < timezone.now() - KEY_LIFETIME:
        IdempotencyKey.objects.filter(pk=row.pk, created_at=row.created_at).delete()
        return None
    if row.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    return row


# One round trip; the table is the model's (test_idempotency: the look-up reads the model's table).
_LOCK_AND_LOOK_UP = (
    "SELECT pg_try_advisory_xact_lock(%s), "
    "EXISTS (SELECT 1 FROM tasks_idempotencykey WHERE user_id = %s AND key = %s)"
)


def idempotency_claim(*, user: User, key: str) -> bool:
    """Holds ``key`` for the caller's transaction (call it inside ``transaction.atomic()``,
    before the request's writes): False when the key already has an answer (roll back, then
    ``idempotency_stored``); ``IdempotencyInProgress`` while another transaction holds it.

    One statement: on PostgreSQL the advisory lock and the look-up together.
    """
    if connection.vendor != "postgresql":
        return not _KEY.rows(user_id=user.pk, key=key)
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_AND_LOOK_UP, [_lock_id(user_id=user.pk, key=key), user.pk, key])
        locked, answered = cursor.fetchone()
    if not locked:
        raise IdempotencyInProgress()
    return not answered


# The look-up on SQLite, compiled once (todo_project.prepared).
_KEY = PreparedQuery(
    lambda *, variant, user_id, key: IdempotencyKey.objects.filter(user_id=user_id, key=key).values("pk")[:1],
    user_id=text_stand_in("user id"),
    key=text_stand_in("key"),
)


def _lock_id(*, user_id: str, key: str) -> int:
    # A signed 64-bit id per user and key (two keys sharing one would only ever give a 409).
    digest = hashlib.blake2b(json.dumps([user_id, key]).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def idempotency_complete(
    *, user: User, key: str, fingerprint: str, status: int, body: object, location: str, etag: str
) -> None:
    """Stores the answer of the request that holds ``key``; call it inside that transaction."""
    _KEY_ROW.insert(
        user_id=user.pk,
        key=key,
        fingerprint=fingerprint,
        created_at=timezone.now(),
        status=status,
        body=body,
        location=location,
        etag=etag,
    )


# The key's row, its INSERT written once (no instance, no signals: nothing listens for it).
_KEY_ROW = PreparedInsert(
    IdempotencyKey, "user_id", "key", "fingerprint", "created_at", "status", "body", "location", "etag"
)


def idempotency_purge(*, dry_run: bool = False) -> int:
    """Deletes, in one DELETE, the keys past their 24 hours; returns how many (dry run: counts)."""
    expired = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - KEY_LIFETIME)
    if dry_run:
        return expired.count()
    _, deleted = expired.delete()
    return deleted.get(IdempotencyKey._meta.label, 0)
