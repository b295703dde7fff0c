"""A task's version as an HTTP entity tag, and the ``If-Match`` precondition of a write.

The ETag is ``"<id>-<version>"``: ``version`` is the owner's change number at the task's
last saved change (``tasks.sync``), so it changes with every saved change and never
repeats, which ``updated_at`` alone cannot promise within its resolution.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from rest_framework.exceptions import APIException

from .models import Task
from .task_reads import task_locked_columns

# RFC 9110 8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text.
_ENTITY_TAG = r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"'
# #entity-tag: a comma-separated list, where empty elements are allowed (RFC 9110 5.6.1).
_IF_MATCH_LIST = re.compile(rf"[ \t]*(?:{_ENTITY_TAG})?[ \t]*(?:,[ \t]*(?:{_ENTITY_TAG})?[ \t]*)*")
_TAG = re.compile(_ENTITY_TAG)
# The methods whose target must still be the version the client saw.
CONDITIONAL_WRITE_METHODS = frozenset({"PUT", "PATCH", "DELETE"})


def task_etag(task: Task) -> str:
    """The strong entity tag of the task's saved state."""
    return version_etag(task_id=task.pk, version=task.version)


def version_etag(*, task_id: int, version: int) -> str:
    """The strong entity tag of a task's saved state, from its id and version (a row's too)."""
    return f'"{task_id}-{version}"'


class PreconditionFailed(APIException):
    """412: ``If-Match`` names no current version of the task; carries the current ``ETag``."""

    status_code = 412
    default_code = "precondition_failed"
    default_detail = "If-Match names no current version of this task; fetch it again."

    def __init__(self, *, etag: str | None = None, detail: str | None = None):
        super().__init__(detail=detail)
        self.headers = {"ETag": etag} if etag else {}


class PreconditionRequired(APIException):
    """428: the server requires ``If-Match`` on writes (``API_REQUIRE_IF_MATCH``)."""

    status_code = 428
    default_code = "precondition_required"
    default_detail = "Send If-Match with the task's ETag (from its last response)."


@dataclass(frozen=True)
class Precondition:
    """A parsed ``If-Match``: ``*`` (any current version) or the strong tags it names."""

    any: bool = False
    etags: frozenset[str] = frozenset()

    def matches(self, task: Task) -> bool:
        # Strong comparison (RFC 9110 13.1.1): a weak tag never matches.
        return self.any or task_etag(task) in self.etags


def precondition_parse(*, header: str | None) -> Precondition | None:
    """The precondition an ``If-Match`` header states; None when there is none.

    A header that is not ``*`` or a list of entity tags cannot name the current version,
    so it is a failed precondition (412), never a server error.
    """
    if header is None:
        if settings.API_REQUIRE_IF_MATCH:
            raise PreconditionRequired()
        return None
    if header.strip() == "*":
        return Precondition(any=True)
    if not _IF_MATCH_LIST.fullmatch(header):
        raise PreconditionFailed(detail="If-Match is not a list of entity tags.")
    return Precondition(etags=frozenset(tag for tag in _TAG.findall(header) if not tag.startswith("W/")))


def task_lock(*, task: Task, precondition: Precondition | None = None) -> Task:
    """Re-reads ``task`` in place under a row lock, with its ``tag_names`` and
    ``next_occurrence_id`` (``task_reads.task_locked_columns``), and checks ``precondition``.

    Call it inside a transaction: the check and the write that follows are one step, so of
    concurrent writes sent with the same ETag exactly one finds it current. Raises
    ``Task.DoesNotExist`` when the task is gone, or ``PreconditionFailed`` (then with the
    current ETag) when the precondition does not hold; a task deleted while a conditional
    write waited has no current version, so that is a failed precondition too (RFC 9110).
    """
    columns = task_locked_columns(pk=task.pk)
    if columns is None:
        if precondition is not None:
            raise PreconditionFailed(detail="The task was deleted meanwhile.")
        raise Task.DoesNotExist("The task was deleted meanwhile.")
    for name, value in columns.items():  # in place, as refresh_from_db
        setattr(task, name, value)
    precondition_check(task=task, precondition=precondition)
    return task


def precondition_check(*, task: Task, precondition: Precondition | None) -> None:
    """Raises ``PreconditionFailed`` (with the current ETag) unless ``precondition`` holds for
    ``task`` as read under its row lock."""
    if precondition is not None and not precondition.matches(task):
        raise PreconditionFailed(etag=task_etag(task))
