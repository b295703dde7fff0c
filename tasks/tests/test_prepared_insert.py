"""A prepared INSERT stores the row the ORM's create() stores, in one statement."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from tasks.models import IdempotencyKey
from todo_project.prepared import PreparedInsert

pytestmark = pytest.mark.django_db

FIELDS = ("user_id", "key", "fingerprint", "created_at", "status", "body", "location", "etag")


def a_row(user, key: str, **changes) -> dict:
    values = {
        "user_id": user.pk,
        "key": key,
        "fingerprint": "f" * 64,
        "created_at": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        "status": 201,
        "body": {"title": 'caf\u00e9 "quoted"', "tags": ["a", "b"], "due": None, "n": 1.5},
        "location": "/api/tasks/1",
        "etag": '"v1"',
    }
    return {**values, **changes}


def stored(key: str) -> dict:
    return IdempotencyKey.objects.filter(key=key).values(*FIELDS).get()


@pytest.mark.parametrize("changes", [{}, {"status": None, "body": None, "location": ""}, {"body": [1, "x"]}])
def test_the_row_is_the_one_create_stores(user, changes):
    IdempotencyKey.objects.create(**a_row(user, "by the orm", **changes))

    PreparedInsert(IdempotencyKey, *FIELDS).insert(**a_row(user, "prepared", **changes))

    assert stored("prepared") == {**stored("by the orm"), "key": "prepared"}


def test_it_is_one_statement_written_once(user):
    prepared = PreparedInsert(IdempotencyKey, *FIELDS)
    prepared.insert(**a_row(user, "first"))
    with CaptureQueriesContext(connection) as queries:
        prepared.insert(**a_row(user, "second"))

    assert len(queries) == 1
    assert queries[0]["sql"].startswith("INSERT INTO")
    assert IdempotencyKey.objects.filter(user=user).count() == 2


@pytest.mark.parametrize("values", [{"key": "k"}, {**dict.fromkeys(FIELDS), "extra": 1}])
def test_every_field_and_only_those_must_be_given(user, values):
    with pytest.raises(TypeError, match="needs exactly"):
        PreparedInsert(IdempotencyKey, *FIELDS).insert(**values)

    assert not IdempotencyKey.objects.exists()


def test_a_field_that_writes_its_own_sql_around_its_value_is_refused():
    blob = models.BinaryField(name="blob")  # its placeholder is not a plain "%s" everywhere
    model = SimpleNamespace(_meta=SimpleNamespace(get_field=lambda name: blob))

    with pytest.raises(ImproperlyConfigured, match="blob"):
        PreparedInsert(model, "blob")
