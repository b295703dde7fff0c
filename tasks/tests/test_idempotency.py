"""Idempotency-Key on POST and /complete: one run per key, the first answer replayed."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tasks import idempotency, views
from tasks.idempotency import KEY_LIFETIME, idempotency_purge
from tasks.models import IdempotencyKey, Task
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import assert_validation_error, snapshot, tasks_url
from testing.helpers import run_command

pytestmark = pytest.mark.django_db


def post(client, url, body, key, content_type="application/json"):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(url, data, content_type=content_type, HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_replays_the_first_answer_and_creates_nothing(user, user_client, family):
    url = tasks_url(family, user)
    first = post(user_client, url, {"title": "milk"}, "k-1")
    again = post(user_client, url, {"title": "milk"}, "k-1")

    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["ETag"] == first["ETag"]
    assert Task.objects.filter(user=user).count() == 1


def test_the_body_is_compared_as_json_not_as_bytes(user, user_client):
    url = tasks_url("token", user)
    post(user_client, url, b'{"title": "a", "description": "b"}', "k")
    again = post(user_client, url, b'{"description":"b","title":"a"}', "k")
    assert again["Idempotent-Replayed"] == "true"
    assert Task.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "route"),
    [({"title": "other"}, "token"), ({"title": "milk"}, "path")],
    ids=["another-body", "another-route"],
)
def test_the_same_key_for_another_request_is_422(user, user_client, body, route):
    post(user_client, tasks_url("token", user), {"title": "milk"}, "k")
    before = snapshot(user)

    response = post(user_client, tasks_url(route, user), body, "k")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert snapshot(user) == before


def test_one_users_key_never_meets_anothers(user, other_user, client_for):
    mine = post(client_for(user), tasks_url("token", user), {"title": "same"}, "shared")
    theirs = post(client_for(other_user), tasks_url("token", other_user), {"title": "same"}, "shared")

    assert mine.status_code == theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert mine.json()["id"] != theirs.json()["id"]
    assert theirs.json()["user_id"] == other_user.pk


@pytest.mark.parametrize(
    "key", ["", "del\x7f", "x" * 256, "caf\u00e9", "tab\there", "nul\x00"], ids=lambda k: repr(k)[:12]
)
def test_a_bad_key_is_422_on_the_header_and_stores_nothing(user, user_client, key):
    response = post(user_client, tasks_url("token", user), {"title": "milk"}, key)

    assert_validation_error(response, "Idempotency-Key")
    assert not Task.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_a_key_of_255_printable_characters_is_taken(user, user_client):
    key = ("k" * 254) + "~"
    assert post(user_client, tasks_url("token", user), {"title": "a"}, key).status_code == 201
    assert IdempotencyKey.objects.get().key == key


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ({"title": ""}, "application/json", 422),
        (b'{"title": ', "application/json", 400),
        (b"title=a", "application/x-www-form-urlencoded", 415),
    ],
    ids=["invalid", "malformed-json", "not-json"],
)
def test_a_failed_first_request_is_not_kept_and_the_key_stays_free(
    user, user_client, body, content_type, status
):
    url = tasks_url("token", user)
    failed = post(user_client, url, body, "k", content_type=content_type)

    assert failed.status_code == status
    assert not IdempotencyKey.objects.exists()
    fixed = post(user_client, url, {"title": "fixed"}, "k")
    assert fixed.status_code == 201
    assert "Idempotent-Replayed" not in fixed


def test_a_request_that_raised_leaves_the_key_free(user, user_client, monkeypatch):
    def explode(**fields):
        raise RuntimeError("the database went away mid-request")

    monkeypatch.setattr(views, "task_create", explode)
    user_client.raise_request_exception = False
    assert post(user_client, tasks_url("token", user), {"title": "milk"}, "k").status_code == 500
    assert not IdempotencyKey.objects.exists()

    monkeypatch.undo()
    response = post(user_client, tasks_url("token", user), {"title": "milk"}, "k")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


def test_after_24_hours_the_key_runs_again(user, user_client):
    url = tasks_url("token", user)
    post(user_client, url, {"title": "milk"}, "k")
    IdempotencyKey.objects.update(created_at=timezone.now() - KEY_LIFETIME - timedelta(seconds=1))

    again = post(user_client, url, {"title": "milk"}, "k")

    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert Task.objects.count() == 2


def test_a_retried_toggle_toggles_once(user, user_client, family):
    task = TaskFactory(user=user)
    url = tasks_url(family, user, task.pk, suffix="complete")

    first = user_client.patch(url, HTTP_IDEMPOTENCY_KEY="t")
    again = user_client.patch(url, HTTP_IDEMPOTENCY_KEY="t")

    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    task.refresh_from_db()
    assert task.completed is True
    # Another key is another request: it toggles back.
    assert user_client.patch(url, HTTP_IDEMPOTENCY_KEY="t2").json()["completed"] is False


def test_a_replay_wins_over_a_since_stale_if_match(user, user_client):
    task = TaskFactory(user=user)
    url = tasks_url("token", user, task.pk, suffix="complete")
    sent = user_client.get(tasks_url("token", user, task.pk))["ETag"]

    first = user_client.patch(url, HTTP_IDEMPOTENCY_KEY="t", HTTP_IF_MATCH=sent)
    again = user_client.patch(url, HTTP_IDEMPOTENCY_KEY="t", HTTP_IF_MATCH=sent)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again["Idempotent-Replayed"] == "true"


def test_a_key_on_a_task_that_is_not_found_stores_nothing(user, other_user, user_client):
    theirs = TaskFactory(user=other_user)
    response = user_client.patch(
        tasks_url("token", user, theirs.pk, suffix="complete"), HTTP_IDEMPOTENCY_KEY="t"
    )
    assert response.status_code == 404
    assert not IdempotencyKey.objects.exists()


# --- Purging expired keys ---------------------------------------------------------------------


@pytest.fixture
def keys(user):
    old = timezone.now() - KEY_LIFETIME - timedelta(minutes=1)
    for index, created_at in enumerate([old, old, timezone.now()]):
        IdempotencyKey.objects.create(user=user, key=f"k{index}", fingerprint="f", created_at=created_at)


def test_purge_deletes_expired_keys_in_one_query(keys):
    with CaptureQueriesContext(connection) as context:
        assert idempotency_purge() == 2
    [delete] = [query["sql"] for query in context.captured_queries]
    assert delete.startswith("DELETE")
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["k2"]


def test_the_purge_command_counts_with_dry_run_then_deletes(keys):
    assert "Dry run: 2 expired idempotency keys would be deleted." in run_command(
        "purge_idempotency_keys", "--dry-run"
    )
    assert IdempotencyKey.objects.count() == 3
    assert "Deleted 2 expired idempotency keys." in run_command("purge_idempotency_keys")
    assert IdempotencyKey.objects.count() == 1


def test_the_look_up_reads_the_models_table():
    assert f"FROM {IdempotencyKey._meta.db_table} WHERE" in idempotency._LOCK_AND_LOOK_UP
