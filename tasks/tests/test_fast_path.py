"""The read path's shortcuts keep the contract: same JSON, same refusals, same cursor."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from accounts.models import User
from tasks.cursors import Cursor, ordering_by
from tasks.models import IdempotencyKey, Priority, Task
from tasks.rows import TaskRows, iso_utc, task_rows
from tasks.selectors import task_with_links
from tasks.serializers import TaskSerializer
from tasks.services import task_create, task_update
from tasks.tags import TagNames
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import tasks_url
from todo_project.renderers import ORJSONRenderer

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied(user):
    """Tasks with and without microseconds, a description, a completion time, tags, dates, a
    priority, a rule and a next occurrence."""
    plain = TaskFactory(user=user, description=None)
    done = TaskFactory(user=user, description="caf\u00e9 \u2028 \u2029 \U0001f600", completed=True)
    Task.objects.filter(pk=plain.pk).update(created_at=datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    Task.objects.filter(pk=done.pk).update(completed_at=datetime(2026, 11, 22, 9, 30, 0, 123456, tzinfo=UTC))
    TaskFactory(user=user, tags=["Work", "caf\u00e9"], priority=Priority.HIGH)
    due = timezone.now().replace(microsecond=0) + timedelta(days=1)
    recurring = task_create(
        user=user,
        title="Water plants",
        due_at=due,
        remind_at=due - timedelta(minutes=30, microseconds=5),
        recurrence="FREQ=WEEKLY",
        priority=Priority.LOW,
        tags=["home"],
    )
    task_update(task=recurring, completed=True)  # spawns the next occurrence
    return list(Task.objects.filter(user=user))


def test_rows_are_what_the_serializer_writes(varied):
    rows = task_rows()
    queryset = task_with_links(queryset=Task.objects.filter(pk__in=[task.pk for task in varied]))
    shaped = rows.shape(rows.rows(queryset))

    expected = TaskSerializer(varied, many=True).data
    assert shaped == [dict(item) for item in expected]
    assert [list(item) for item in shaped] == [list(item) for item in expected]  # key order
    written = {item[name] for item in shaped for name in ("created_at", "completed_at")}
    assert {"2026-01-01T12:00:00Z", "2026-11-22T09:30:00.123456Z"} <= written
    # The new fields are there with values, not only as nulls and defaults.
    assert {"low", "medium", "high"} == {item["priority"] for item in shaped}
    assert ["Work", "caf\u00e9"] in [item["tags"] for item in shaped]
    assert sum(item["tags"] == ["home"] for item in shaped) == 2  # the occurrence has its tags
    (spawned,) = [item for item in shaped if item["next_occurrence_id"] is not None]
    (occurrence,) = [item for item in shaped if item["previous_occurrence_id"] == spawned["id"]]
    assert spawned["next_occurrence_id"] == occurrence["id"]
    assert occurrence["recurrence"] == "FREQ=WEEKLY" and occurrence["due_at"].endswith("Z")


def test_orjson_writes_the_bytes_drf_writes(varied):
    rows = task_rows()
    for data in (
        rows.shape(rows.rows(task_with_links(queryset=Task.objects.all()))),
        TaskSerializer(varied, many=True).data,
        {"when": datetime(2026, 1, 1, 0, 0, 0, 999999, tzinfo=UTC), "big": 2**70, "none": None},
    ):
        assert ORJSONRenderer().render(data) == JSONRenderer().render(data)


def test_iso_utc_converts_other_offsets():
    value = datetime(2026, 1, 1, 14, 0, 0, 5, tzinfo=UTC) + timedelta(0)
    assert iso_utc(value.astimezone(datetime.now().astimezone().tzinfo)) == "2026-01-01T14:00:00.000005Z"


def test_a_field_that_is_no_column_must_be_provided():
    class Labelled(TaskSerializer):
        labels = serializers.ListField(child=serializers.CharField(), read_only=True)

        class Meta(TaskSerializer.Meta):
            fields = [*TaskSerializer.Meta.fields, "labels"]

    with pytest.raises(ImproperlyConfigured, match="labels"):
        TaskRows(serializer_class=Labelled)

    class LabelledRows(TaskRows):
        annotations = {**TaskRows.annotations, "labels": ("label_names", TagNames)}

    rows = LabelledRows(serializer_class=Labelled)
    task = TaskFactory(tags=["work"])
    (shaped,) = rows.shape(rows.rows(task_with_links(queryset=Task.objects.filter(pk=task.pk))))
    assert list(shaped)[-1] == "labels" and shaped["labels"] == ["work"]
    assert shaped["tags"] == ["work"]


def test_the_cursor_is_one_row_comparison(user):
    cursor = Cursor("-created_at", datetime(2026, 1, 1, tzinfo=UTC), 7)
    sql = str(Task.objects.filter(user=user).filter(cursor.rows_after(Task)).query)

    assert '("tasks_task"."created_at", "tasks_task"."id") < (' in sql
    assert " OR " not in sql


# --- Deactivation is refused at once, though the user's own query is skipped -------------


def deactivate(user) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", None, None),
        ("get", "one", None),
        ("post", None, {"title": "x"}),
        ("patch", "one", {"title": "x"}),
        ("delete", "one", None),
    ],
    ids=["list", "retrieve", "create", "patch", "delete"],
)
def test_a_user_deactivated_after_being_seen_is_refused_on_the_next_request(
    user, user_client, method, suffix, body
):
    task = TaskFactory(user=user)
    url = tasks_url("token", user, task.pk if suffix else None)
    assert user_client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as seen:
        assert user_client.get(url).status_code == 200
    assert not any("accounts_user" in query["sql"] and "JOIN" not in query["sql"] for query in seen)

    deactivate(user)
    response = getattr(user_client, method)(url, body, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "user_inactive"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert list(Task.objects.filter(user=user).values_list("pk", "title")) == [(task.pk, task.title)]


def test_an_empty_list_of_a_deactivated_user_is_refused(user, user_client):
    assert user_client.get(tasks_url("token", user)).status_code == 200
    deactivate(user)

    assert user_client.get(tasks_url("token", user)).status_code == 401


def test_a_remembered_user_that_was_deleted_is_created_again(user, user_client):
    assert user_client.get(tasks_url("token", user)).status_code == 200
    User.objects.filter(pk=user.pk).delete()

    assert user_client.get(tasks_url("token", user)).json() == []
    assert User.objects.filter(pk=user.pk).exists()


def test_a_deactivated_users_create_with_an_idempotency_key_stores_no_answer(user, user_client):
    assert user_client.get(tasks_url("token", user)).status_code == 200
    deactivate(user)

    response = user_client.post(
        tasks_url("token", user), {"title": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )

    assert response.status_code == 401
    assert not IdempotencyKey.objects.filter(user_id=user.pk).exists()
    assert not Task.objects.filter(user_id=user.pk).exists()


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("post", None, {"title": ""}),
        ("post", None, {"title": "x", "recurrence": "FREQ=DAILY"}),
        ("patch", "one", {"priority": "urgent"}),
        ("patch", "missing", {"title": "x"}),
    ],
    ids=["create-bad-body", "create-bad-rule", "patch-bad-body", "patch-missing-task"],
)
def test_a_deactivated_user_hears_401_before_any_other_refusal(user, user_client, method, suffix, body):
    task = TaskFactory(user=user)
    pk = {None: None, "one": task.pk, "missing": task.pk + 10_000}[suffix]
    assert user_client.get(tasks_url("token", user)).status_code == 200
    deactivate(user)

    response = getattr(user_client, method)(tasks_url("token", user, pk), body, format="json")

    assert (response.status_code, response.json()["code"]) == (401, "user_inactive")


def test_a_deactivated_user_on_another_users_path_hears_401_not_403(user, user_client, other_user):
    assert user_client.get(tasks_url("token", user)).status_code == 200
    deactivate(user)

    response = user_client.get(tasks_url("path", other_user))

    assert (response.status_code, response.json()["code"]) == (401, "user_inactive")


def test_a_throttled_deactivated_user_hears_429_without_a_user_query(user, user_client, settings, tmp_path):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "1/min"}}
    settings.REDIS_URL = ""
    settings.API_THROTTLE_SQLITE_PATH = str(tmp_path / "ratelimit.sqlite3")
    assert user_client.get(tasks_url("token", user)).status_code == 200
    deactivate(user)

    with CaptureQueriesContext(connection) as queries:
        response = user_client.get(tasks_url("token", user))

    assert response.status_code == 429
    assert not any("accounts_user" in query["sql"] for query in queries)


def test_a_deactivated_user_is_not_replayed_a_stored_answer(user, user_client):
    url = tasks_url("token", user)
    first = user_client.post(url, {"title": "kept"}, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert first.status_code == 201
    deactivate(user)

    retry = user_client.post(url, {"title": "kept"}, format="json", HTTP_IDEMPOTENCY_KEY="k2")

    assert (retry.status_code, retry.json()["code"]) == (401, "user_inactive")
    assert "kept" not in retry.content.decode() and not retry.has_header("Location")


def test_a_remembered_deleted_users_edit_of_a_missing_task_still_creates_the_user(user_client, user):
    """The account is synced after the edit's transaction is rolled back, not inside it."""
    assert user_client.get(tasks_url("token", user)).status_code == 200
    User.objects.filter(pk=user.pk).delete()

    response = user_client.patch(tasks_url("token", user, 10**9), {"title": "x"}, format="json")

    assert response.status_code == 404
    assert User.objects.filter(pk=user.pk).exists()


def test_a_remembered_user_that_was_deleted_can_create_again(user, user_client):
    assert user_client.get(tasks_url("token", user)).status_code == 200
    User.objects.filter(pk=user.pk).delete()

    response = user_client.post(tasks_url("token", user), {"title": "after"}, format="json")

    assert response.status_code == 201
    assert Task.objects.filter(pk=response.json()["id"], user_id=user.pk).exists()


def test_new_claims_are_synced_though_the_user_was_remembered(user, user_client, client_for):
    assert user_client.get(tasks_url("token", user)).status_code == 200
    user.email, user.name = "renamed@example.com", "Renamed"

    assert client_for(user).get(tasks_url("token", user)).status_code == 200

    user.refresh_from_db()
    assert (user.email, user.name) == ("renamed@example.com", "Renamed")


def test_a_cursor_on_a_column_with_nulls_crosses_the_null_boundary(user):
    cursor = Cursor("-due_at", datetime(2026, 1, 1, tzinfo=UTC), 7)
    sql = str(Task.objects.filter(user=user).filter(cursor.rows_after(Task)).query)

    assert '"tasks_task"."due_at" IS NULL' in sql and " OR " in sql
    after_null = str(Task.objects.filter(Cursor("due_at", None, 7).rows_after(Task)).query)
    assert '"tasks_task"."due_at" IS NULL' in after_null and '"tasks_task"."id" > 7' in after_null


def test_nulls_last_only_where_a_column_has_nulls():
    sql = {
        ordering: str(Task.objects.order_by(*ordering_by(ordering, model=Task)).query)
        for ordering in ("-created_at", "-priority", "-due_at", "remind_at")
    }

    # A descending index scan gives NULLs first: NULLS LAST on a NOT NULL column would sort.
    assert "NULLS LAST" not in sql["-created_at"] and "NULLS LAST" not in sql["-priority"]
    assert "NULLS LAST" in sql["-due_at"] and "NULLS LAST" in sql["remind_at"]
    priority = Cursor("-priority", 2, 7)
    assert " OR " not in str(Task.objects.filter(priority.rows_after(Task)).query)


def fresh_answer(task: Task) -> dict:
    """What the serializer writes for the task as stored now."""
    return dict(TaskSerializer(task_with_links(queryset=Task.objects.filter(pk=task.pk)).get()).data)


def test_a_written_task_answers_what_the_serializer_writes_of_it_stored(user):
    paris = timezone.get_fixed_timezone(120)
    due = datetime(2027, 3, 1, 9, 30, 0, 250000, tzinfo=paris)
    created = task_create(
        user=user,
        title="Rent",
        description="x",
        due_at=due,
        recurrence="FREQ=MONTHLY",
        tags=["Home", "bills"],
    )
    answers = [task_rows().answer(created)]
    expected = [fresh_answer(created)]
    completed = task_update(task=created, completed=True)  # spawns the next occurrence
    assert completed.next_occurrence_id is not None
    answers.append(task_rows().answer(completed))
    expected.append(fresh_answer(completed))

    assert answers == expected
    assert [list(answer) for answer in answers] == [list(answer) for answer in expected]  # key order
    assert answers[0]["due_at"] == "2027-03-01T07:30:00.250000Z"
    assert answers[1]["next_occurrence_id"] == completed.next_occurrence_id


def test_a_task_whose_tags_were_never_read_answers_through_the_serializer(user):
    TaskFactory(user=user, tags=["work"])
    task = task_with_links(queryset=Task.objects.filter(user=user)).get()  # no tag_names
    with CaptureQueriesContext(connection) as queries:
        answer = task_rows().answer(task)

    assert answer["tags"] == ["work"]
    assert len(queries) == 1  # the tags, read once
    assert answer == fresh_answer(task)
