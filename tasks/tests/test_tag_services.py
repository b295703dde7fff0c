"""The tag services called directly: counts in one query, rename, merge, delete."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from tasks.exceptions import TagNotFound
from tasks.models import Tag, Task, TaskTag
from tasks.tag_services import tag_delete, tag_get, tag_list_for, tag_rename
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import T0, make_task, put_tags, tag_names
from testing.races import run_at_once

pytestmark = pytest.mark.django_db


def summary(user) -> list[tuple[str, int, int]]:
    return [(tag.name, tag.task_count, tag.open_task_count) for tag in tag_list_for(user=user)]


def updated(task: Task):
    task.refresh_from_db()
    return task.updated_at


def test_the_list_counts_tasks_and_open_tasks_by_name_in_one_query(user, other_user, planned):
    Tag.objects.create(user=user, name="idle", key="idle")

    with CaptureQueriesContext(connection) as context:
        listed = summary(user)

    assert len(context.captured_queries) == 1
    assert listed == [
        ("Family", 1, 1),
        ("health", 1, 1),
        ("home", 1, 1),
        ("homework", 1, 1),
        ("idle", 0, 0),  # on no task: listed, as GitHub lists an unused label
        ("shopping", 1, 1),
        ("urgent", 1, 1),
        ("Work", 2, 1),  # "work" on "taxes" is the same tag; taxes is completed
    ]
    assert summary(other_user) == [("work", 1, 1)]


def test_the_list_costs_one_query_whatever_the_number_of_tags(user):
    for task in TaskFactory.create_batch(20, user=user):
        put_tags(task, *(f"tag {index}" for index in range(task.pk % 7)))

    with CaptureQueriesContext(connection) as context:
        listed = summary(user)

    assert len(context.captured_queries) == 1
    assert len(listed) == 6


def test_get_matches_any_case_and_only_the_users_own(user, other_user, planned):
    assert tag_get(user=user, name="WORK").name == "Work"
    assert tag_get(user=user, name="family").task_count == 1
    with pytest.raises(TagNotFound):
        tag_get(user=user, name="wor")
    put_tags(make_task(other_user, minutes=0, title="theirs"), "private")
    with pytest.raises(TagNotFound):
        tag_get(user=user, name="private")


def test_rename_changes_the_name_on_every_task_and_touches_them(user, planned):
    report, taxes, gym = planned["report"], planned["taxes"], planned["gym"]
    untouched = updated(gym)

    tag = tag_rename(user=user, name="work", new_name="Job")

    assert (tag.name, tag.task_count, tag.open_task_count) == ("Job", 2, 1)
    assert tag_names(report) == ["Job", "urgent", "homework"]
    assert tag_names(taxes) == ["Job"]
    assert updated(report) > T0 and updated(taxes) > T0
    assert updated(gym) == untouched
    assert not Tag.objects.filter(user=user, key="work").exists()


def test_rename_to_another_case_keeps_the_tag(user, planned):
    before = Tag.objects.get(user=user, key="work").pk

    tag = tag_rename(user=user, name="Work", new_name="WORK")

    assert (tag.pk, tag.name) == (before, "WORK")
    assert tag_names(planned["taxes"]) == ["WORK"]


def test_rename_to_the_same_name_changes_nothing(user, planned):
    before = updated(planned["report"])

    tag_rename(user=user, name="work", new_name="Work")

    assert updated(planned["report"]) == before


def test_rename_onto_an_existing_tag_merges_keeping_one_at_the_earlier_place(user, planned):
    report, groceries, taxes = planned["report"], planned["groceries"], planned["taxes"]
    put_tags(groceries, "home", "shopping", "urgent")
    home = Tag.objects.get(user=user, key="home").pk

    # report: [Work, urgent, homework]; groceries: [home, shopping, urgent]; taxes: [work].
    tag = tag_rename(user=user, name="urgent", new_name="Home")

    assert (tag.pk, tag.name, tag.task_count, tag.open_task_count) == (home, "Home", 2, 2)
    assert tag_names(report) == ["Work", "Home", "homework"]
    assert tag_names(groceries) == ["Home", "shopping"]  # carried both: once, where home was
    assert tag_names(taxes) == ["Work"]
    assert not Tag.objects.filter(user=user, key="urgent").exists()
    assert TaskTag.objects.filter(tag_id=home).count() == 2


def test_a_merge_keeps_the_earlier_of_the_two_places(user):
    task = make_task(user, minutes=0, title="t")
    put_tags(task, "a", "b", "c", "d")

    tag_rename(user=user, name="d", new_name="b")
    assert tag_names(task) == ["a", "b", "c"]
    tag_rename(user=user, name="a", new_name="c")
    assert tag_names(task) == ["c", "b"]


def test_rename_of_an_unknown_or_anothers_tag_is_not_found(user, other_user, planned):
    put_tags(make_task(other_user, minutes=0, title="theirs"), "private")

    for name in ("nothing", "private"):
        with pytest.raises(TagNotFound):
            tag_rename(user=user, name=name, new_name="x")
    assert Tag.objects.get(user=other_user, key="private").name == "private"


def test_rename_never_merges_into_another_users_tag(user, other_user, planned):
    theirs = Tag.objects.get(user=other_user, key="work")

    tag_rename(user=user, name="health", new_name="work")

    assert Tag.objects.filter(user=other_user).count() == 1
    assert theirs.task_tags.count() == 1
    # The user's own "Work" absorbs it, spelled as asked.
    assert tag_names(planned["gym"]) == ["work"]
    assert tag_names(planned["report"])[0] == "work"


def test_delete_removes_the_tag_from_every_task_and_the_tasks_stay(user, other_user, planned):
    count = Task.objects.count()
    before = updated(planned["gym"])

    tag_delete(user=user, name="WORK")

    assert Task.objects.count() == count
    assert tag_names(planned["report"]) == ["urgent", "homework"]
    assert tag_names(planned["taxes"]) == []
    assert updated(planned["report"]) > T0
    assert updated(planned["gym"]) == before
    assert not Tag.objects.filter(user=user, key="work").exists()
    assert Tag.objects.filter(user=other_user, key="work").exists()
    with pytest.raises(TagNotFound):
        tag_delete(user=user, name="work")


def rename_merge_delete_queries(user, tasks: int) -> list[int]:
    """The statements of a rename, a merge and a delete over ``tasks`` tasks with two tags."""
    for task in TaskFactory.create_batch(tasks, user=user):
        put_tags(task, "a", "b")
    counts = []
    for action in (
        lambda: tag_rename(user=user, name="a", new_name="c"),
        lambda: tag_rename(user=user, name="c", new_name="b"),
        lambda: tag_delete(user=user, name="b"),
    ):
        with CaptureQueriesContext(connection) as context:
            action()
        counts.append(len(context.captured_queries))
    Task.objects.filter(user=user).delete()
    return counts


def test_rename_merge_and_delete_cost_the_same_for_any_number_of_tasks(user):
    # Savepoints and row locks count as statements too; what matters is that none grows.
    assert rename_merge_delete_queries(user, 1) == rename_merge_delete_queries(user, 30)


def test_renames_onto_one_new_name_at_once_make_one_tag(race_database):
    """Four threads rename four tags to one name that does not exist yet: one of them creates
    it, the others merge into it; no error, no tag lost, one tag per task."""
    names = ["a", "b", "d", "e"]

    def setup():
        owner = UserFactory()
        for name in names:
            put_tags(make_task(owner, minutes=0, title=name), name, "keep")
        put_tags(make_task(owner, minutes=0, title="all"), *names)
        return owner

    [owner] = run_at_once(race_database, 1, setup)
    queue = list(names)

    results = run_at_once(
        race_database, len(names), lambda: tag_rename(user=owner, name=queue.pop(), new_name="C").name
    )

    assert results == ["C"] * len(names), results
    [(tags, per_task)] = run_at_once(
        race_database,
        1,
        lambda: (
            summary(owner),
            {task.title: tag_names(task) for task in Task.objects.filter(user=owner)},
        ),
    )
    assert tags == [("C", 5, 5), ("keep", 4, 4)]
    assert per_task == {
        "a": ["C", "keep"],
        "b": ["C", "keep"],
        "d": ["C", "keep"],
        "e": ["C", "keep"],
        "all": ["C"],
    }
