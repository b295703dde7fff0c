"""Prepared queries: compiled once, the same rows as the queryset itself."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from tasks.models import Priority, Task
from tasks.rows import task_rows
from tasks.selectors import task_list_for, task_with_links
from tasks.services import task_update
from tasks.tags import TagNames, task_tagged
from tasks.task_reads import task_first_answers, task_locked_columns, task_owned, task_row
from tasks.tests.factories import TaskFactory
from todo_project.prepared import MAX_VARIANTS, PreparedQuery, text_stand_in

pytestmark = pytest.mark.django_db

MARKERS = {"user_id": text_stand_in("user"), "title": text_stand_in("title")}


def by_owner_and_title(*, variant, user_id, title):
    tasks = Task.objects.filter(user_id=user_id, title=title).annotate(tag_names=TagNames())
    if variant == "done":
        tasks = tasks.filter(completed=True)
    return tasks.values("id", "title", "completed", "created_at", "completed_at", "tag_names", "priority")


@pytest.fixture
def tasks(user, other_user):
    done = TaskFactory(user=user, title="milk", tags=["Shop", "caf\u00e9"], priority=Priority.HIGH)
    task_update(task=done, completed=True)
    Task.objects.filter(pk=done.pk).update(created_at=datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=UTC))
    TaskFactory(user=user, title="milk")
    TaskFactory(user=user, title="bread", tags=["Shop"])
    TaskFactory(user=other_user, title="milk", tags=["theirs"])


@pytest.mark.parametrize("variant", [None, "done"])
@pytest.mark.parametrize("title", ["milk", "bread", "none such"])
def test_the_rows_are_the_querysets_own(tasks, user, other_user, variant, title):
    prepared = PreparedQuery(by_owner_and_title, **MARKERS)
    for owner in (user, other_user):
        expected = list(by_owner_and_title(variant=variant, user_id=owner.pk, title=title))

        assert prepared.rows(variant=variant, user_id=owner.pk, title=title) == expected


def test_it_is_compiled_once_per_connection_and_variant(tasks, user):
    built = []

    def build(**values):
        built.append(values["variant"])
        return by_owner_and_title(**values)

    prepared = PreparedQuery(build, **MARKERS)
    for title in ("milk", "bread", "milk"):
        prepared.rows(user_id=user.pk, title=title)
        prepared.rows(variant="done", user_id=user.pk, title=title)

    assert built == [None, "done"]


def test_variants_from_requests_cannot_grow_the_compilations_without_bound(tasks, user):
    built = []

    def build(**values):
        built.append(values["variant"])
        return by_owner_and_title(**{**values, "variant": None})

    prepared = PreparedQuery(build, **MARKERS)
    for size in range(MAX_VARIANTS + 10):  # as a client varying ?limit= would
        assert [row["title"] for row in prepared.rows(variant=size, user_id=user.pk, title="bread")] == [
            "bread"
        ]
    prepared.rows(variant=MAX_VARIANTS + 9, user_id=user.pk, title="milk")  # the newest: kept
    prepared.rows(variant=0, user_id=user.pk, title="milk")  # the oldest: made room, compiled again

    assert len(prepared._compiled[connections["default"]]) == MAX_VARIANTS
    assert built == [*range(MAX_VARIANTS + 10), 0]


def test_a_run_is_one_query(tasks, user):
    prepared = PreparedQuery(by_owner_and_title, **MARKERS)
    prepared.rows(user_id=user.pk, title="milk")
    with CaptureQueriesContext(connection) as queries:
        prepared.rows(user_id=user.pk, title="bread")

    assert len(queries) == 1
    assert "bread" in queries[0]["sql"]  # the value of this run, not the first


def test_a_marker_that_does_not_reach_the_parameters_unchanged_is_refused(user):
    def contains(*, variant, user_id, title):
        return Task.objects.filter(user_id=user_id, title__contains=title).values("id")  # "%…%"

    with pytest.raises(ImproperlyConfigured, match="title"):
        PreparedQuery(contains, **MARKERS).rows(user_id=user.pk, title="milk")


def test_a_task_row_is_the_owners_and_the_answer_the_serializers(user, other_user):
    mine = TaskFactory(user=user, tags=["work"])
    theirs = TaskFactory(user=other_user)

    row = task_row(user=user, pk=mine.pk)
    assert task_rows().shape([row])[0]["tags"] == ["work"]
    assert row["version"] == mine.version
    assert task_row(user=user, pk=theirs.pk) is None
    assert task_row(user=other_user, pk=mine.pk) is None


def test_a_deactivated_owner_gets_no_row_when_the_query_checks_the_account(user):
    task = TaskFactory(user=user)
    user.is_active = False
    user.save()

    assert task_row(user=user, pk=task.pk, user_active=True) is None
    assert task_row(user=user, pk=task.pk, user_active=False)["id"] == task.pk


@pytest.mark.parametrize("pk", [2**63, -(2**63) - 1, 10**30])
def test_an_id_beyond_the_column_is_no_row_and_no_query(user, pk):
    with CaptureQueriesContext(connection) as queries:
        assert task_row(user=user, pk=pk) is None
    assert len(queries) == 0


@pytest.mark.parametrize("count", [1, 2, 101])
def test_the_first_answers_are_the_lists_own_rows_shaped(tasks, user, other_user, count):
    # Completed with a completion time, a priority, tags, a whole-second created_at: each converter.
    queryset = task_rows().rows(task_with_links(queryset=task_list_for(user=user)))
    expected = task_rows().shape(queryset[:count])

    answers = task_first_answers(user=user, count=count)

    assert answers == expected
    assert [list(answer) for answer in answers] == [list(shaped) for shaped in expected]  # key order
    assert task_first_answers(user=user, count=count) == answers  # again, with the plan kept
    assert {answer["user_id"] for answer in task_first_answers(user=other_user, count=count)} == {
        other_user.pk
    }


def test_an_owned_task_is_the_orms_instance(user, other_user):
    task = TaskFactory(user=user, tags=["work"], description="d")
    expected = task_with_links(queryset=Task.objects.filter(pk=task.pk)).get()

    owned = task_owned(user=user, pk=task.pk)

    columns = [field.attname for field in Task._meta.concrete_fields]
    assert [getattr(owned, name) for name in columns] == [getattr(expected, name) for name in columns]
    assert owned.next_occurrence_id is None and owned._state.adding is False
    assert task_owned(user=other_user, pk=task.pk) is None
    assert task_owned(user=user, pk=2**63) is None
    with transaction.atomic():
        locked = task_locked_columns(pk=task.pk)
    assert locked == {
        **{name: getattr(expected, name) for name in columns},
        "next_occurrence_id": None,
        "tag_names": ["work"],
    }
    assert task_locked_columns(pk=task.pk + 1000) is None


@pytest.mark.parametrize("keys", [("shop",), ("shop", "café"), ("none such",)])
def test_the_first_tagged_answers_are_the_tag_filters_own(tasks, user, keys):
    queryset = task_tagged(queryset=task_with_links(queryset=task_list_for(user=user)), keys=list(keys))

    answers = task_first_answers(user=user, count=10, tag_keys=keys)

    assert answers == task_rows().shape(task_rows().rows(queryset)[:10])
    assert task_first_answers(user=user, count=10, tag_keys=("shop",))  # the fixture's tagged tasks
