"""Safe retries: an ``Idempotency-Key`` runs its request once and replays the first answer.

A key is claimed by inserting its row, committed at once so that a duplicate arriving
meanwhile sees it (409 while ``status`` is null). The answer is stored in the same
transaction as the request's own writes, so either both are kept or neither. Only a
successful (2xx) answer is kept: a request that failed (a validation error, anything) frees
the key again, so the corrected retry runs.
"""

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework.exceptions import APIException, ValidationError

from accounts.models import User

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
# How long the first answer is replayed.
KEY_LIFETIME = timedelta(hours=24)
# A claim this old belongs to a request that died (every request is cut off well before):
# a retry may take it over.
CLAIM_TIMEOUT = timedelta(seconds=60)
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


@dataclass(frozen=True)
class Claim:
    """The running request's hold on a key."""

    pk: int
    token: str


def idempotency_key_clean(*, header: str) -> str:
    """The key as sent, when it is 1 to 255 printable ASCII characters; else a 422 on the header."""
    if not _PRINTABLE_ASCII.fullmatch(header):
        raise ValidationError({HEADER: ["Must be 1 to 255 printable ASCII characters."]})
    return header


def idempotency_fingerprint(*, method: str, route: str, body: object) -> str:
    """sha256 of method, route and the body as canonical JSON (key order does not count)."""
    canonical = json.dumps([method, route, body], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency_claim(*, user: User, key: str, fingerprint: str) -> Claim | IdempotencyKey:
    """Claims ``key`` for ``user``'s request, or returns the stored answer to replay.

    Raises ``IdempotencyKeyReused`` when the key was sent with another fingerprint and
    ``IdempotencyInProgress`` when its first request is still running.
    """
    for _ in range(3):  # the row may vanish between the insert and the read (released, expired)
        now = timezone.now()
        token = uuid.uuid4().hex
        try:
            row = _claim_insert(user=user, key=key, fingerprint=fingerprint, token=token, now=now)
            return Claim(pk=row.pk, token=token)
        except IntegrityError:
            pass
        row = IdempotencyKey.objects.filter(user=user, key=key).first()
        if row is None:
            continue
        if row.created_at < now - KEY_LIFETIME:
            IdempotencyKey.objects.filter(pk=row.pk, created_at=row.created_at).delete()
            continue
        if row.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        if row.status is not None:
            return row
        if row.created_at < now - CLAIM_TIMEOUT and _take_over(row=row, token=token, now=now):
            return Claim(pk=row.pk, token=token)
        raise IdempotencyInProgress()
    raise IdempotencyInProgress()


def _claim_insert(*, user: User, key: str, fingerprint: str, token: str, now) -> IdempotencyKey:
    fields = {"user": user, "key": key, "fingerprint": fingerprint, "claim": token, "created_at": now}
    if connection.in_atomic_block:
        # Inside a caller's transaction a savepoint keeps it usable after a duplicate key.
        with transaction.atomic():
            return IdempotencyKey.objects.create(**fields)
    # In autocommit the INSERT is its own transaction: one round trip, not BEGIN/INSERT/COMMIT.
    return IdempotencyKey.objects.create(**fields)


def _take_over(*, row: IdempotencyKey, token: str, now) -> bool:
    # Conditional: of two retries taking over one dead claim, one wins.
    taken = IdempotencyKey.objects.filter(pk=row.pk, claim=row.claim, status__isnull=True)
    return bool(taken.update(claim=token, created_at=now))


def idempotency_complete(*, claim: Claim, status: int, body: object, location: str, etag: str) -> None:
    """Stores the answer of the claimed request; call it inside that request's transaction.

    Raises ``IdempotencyInProgress`` if the claim was taken over meanwhile, which rolls the
    request's writes back: the request that holds the key now is the one that counts.
    """
    stored = IdempotencyKey.objects.filter(pk=claim.pk, claim=claim.token, status__isnull=True).update(
        status=status, body=body, location=location, etag=etag
    )
    if not stored:
        raise IdempotencyInProgress()


def idempotency_release(*, claim: Claim) -> None:
    """Frees the key of a request that did not succeed, so a retry runs it anew."""
    IdempotencyKey.objects.filter(pk=claim.pk, claim=claim.token, status__isnull=True).delete()


def idempotency_purge(*, dry_run: bool = False) -> int:
    """Deletes, in one DELETE, the keys past their 24 hours; returns how many (dry run: counts)."""
    expired = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - KEY_LIFETIME)
    if dry_run:
        return expired.count()
    _, deleted = expired.delete()
    return deleted.get(IdempotencyKey._meta.label, 0)
