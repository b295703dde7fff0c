"""The rules of the new fields called directly, as the admin and the commands call them."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import UserFactory
from tasks.models import Tag, Task
from tasks.recurrence import recurrence_check, recurrence_clean, recurrence_next
from tasks.services import task_check, task_create, task_update
from tasks.tags import tag_key, tag_names_by_task, tag_names_clean, tags_for_user
from tasks.tests.factories import TaskFactory

START = datetime(2030, 1, 7, 9, tzinfo=UTC)  # a Monday


def test_tag_names_clean_trims_dedups_and_keeps_order():
    assert tag_names_clean([" a ", "B", "A", "b", "c"]) == ["a", "B", "c"]
    assert tag_names_clean([]) == []


@pytest.mark.parametrize(
    "value", ["a", None, [1], ["x" * 51], [""], ["a\nb"], [f"t{n}" for n in range(21)]], ids=repr
)
def test_tag_names_clean_refuses(value):
    with pytest.raises(ValidationError):
        tag_names_clean(value)


def test_tag_keys_fold_case_and_normalise():
    assert tag_key("Straße") == tag_key("STRASSE") == "strasse"
    assert tag_key("e\u0301") == tag_key("\u00e9")


@pytest.mark.django_db
def test_tags_for_user_creates_only_what_is_missing_in_constant_queries(django_assert_num_queries):
    user, other = UserFactory(), UserFactory()
    Tag.objects.create(user=user, name="Work", key="work")
    Tag.objects.create(user=other, name="home", key="home")

    with django_assert_num_queries(3):  # read, create the missing, read them back
        tags = tags_for_user(user_id=user.pk, names=["work", "home", "x"])

    assert [tag.name for tag in tags] == ["Work", "home", "x"]
    assert {tag.user_id for tag in tags} == {user.pk}
    assert Tag.objects.filter(user=other).count() == 1


@pytest.mark.django_db
def test_tag_names_by_task_is_one_query_in_each_tasks_order(django_assert_num_queries):
    first, second = TaskFactory(tags=["b", "a"]), TaskFactory(tags=["c"])
    empty = TaskFactory()
    with django_assert_num_queries(1):
        names = tag_names_by_task([first.pk, second.pk, empty.pk])
    assert names == {first.pk: ["b", "a"], second.pk: ["c"]}


@pytest.mark.parametrize(
    ("value", "rule"),
    [("daily", "FREQ=DAILY"), (" RRULE:freq=monthly;bymonthday=-1 ", "FREQ=MONTHLY;BYMONTHDAY=-1")],
)
def test_recurrence_clean_normalises(value, rule):
    assert recurrence_clean(value) == rule


@pytest.mark.parametrize(
    "value", ["", "FREQ=SECONDLY", "FREQ=DAILY;INTERVAL=0", "X" * 501, "FREQ=DAILY;BYDAY=ZZ"]
)
def test_recurrence_clean_refuses(value):
    with pytest.raises(ValidationError):
        recurrence_clean(value)


def test_recurrence_next_counts_the_series_from_its_start():
    rule = "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=3"  # Mon 7, Wed 9, Mon 14
    assert recurrence_next(rule=rule, series_start=START, after=START) == START + timedelta(days=2)
    assert recurrence_next(
        rule=rule, series_start=START, after=START + timedelta(days=2)
    ) == START + timedelta(days=7)
    assert recurrence_next(rule=rule, series_start=START, after=START + timedelta(days=7)) is None


def test_recurrence_check_names_the_recurrence_field():
    with pytest.raises(ValidationError) as needs_due:
        recurrence_check(rule="FREQ=DAILY", due_at=None, series_start=None)
    with pytest.raises(ValidationError) as never:
        recurrence_check(rule="FREQ=DAILY;COUNT=1", due_at=START, series_start=None)
    assert list(needs_due.value.message_dict) == list(never.value.message_dict) == ["recurrence"]
    recurrence_check(rule="FREQ=DAILY;COUNT=1", due_at=START, series_start=None, must_recur=False)


@pytest.mark.django_db
def test_the_services_refuse_what_the_api_refuses_and_store_nothing():
    user = UserFactory()
    with pytest.raises(ValidationError):
        task_create(user=user, title="t", recurrence="FREQ=DAILY")
    task = TaskFactory(user=user, due_at=START, recurrence="FREQ=DAILY")
    with pytest.raises(ValidationError):
        task_update(task=task, due_at=None)
    with pytest.raises(ValidationError):
        task_check(task=task, fields={"recurrence": "FREQ=DAILY;UNTIL=20200101T000000Z"})
    task.refresh_from_db()
    assert (task.due_at, Task.objects.count()) == (START, 1)
