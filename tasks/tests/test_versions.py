"""ETag on every task response; If-Match on every write (412, 428); If-None-Match (304)."""

import json

import pytest

from tasks.models import Task
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import snapshot, tasks_url
from tasks.versions import Precondition, PreconditionFailed, precondition_parse, task_etag

pytestmark = pytest.mark.django_db

# (method, suffix, body) of every conditional write; DELETE answers 204.
WRITES = [
    ("put", "", {"title": "put", "description": None}),
    ("patch", "", {"title": "patched"}),
    ("patch", "complete", None),
    ("patch", "complete", {"completed": True}),
    ("delete", "", None),
]
WRITE_IDS = ["put", "patch", "toggle", "set", "delete"]


def send(client, method, url, body=None, **headers):
    if body is None:
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **headers)


def etag(task: Task) -> str:
    task.refresh_from_db()
    return f'"{task.pk}-{task.version}"'


def assert_precondition_failed(response, current: str | None) -> None:
    assert response.status_code == 412, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "precondition_failed"
    assert response.get("ETag") == current


def test_every_response_that_carries_a_task_has_its_etag(user, user_client, family):
    created = user_client.post(tasks_url(family, user), {"title": "a"}, format="json")
    task = Task.objects.get(pk=created.json()["id"])
    assert created["ETag"] == etag(task)

    detail = tasks_url(family, user, task.pk)
    for call in (
        lambda: user_client.get(detail),
        lambda: user_client.put(detail, {"title": "b"}, format="json"),
        lambda: user_client.patch(detail, {"title": "c"}, format="json"),
        lambda: user_client.patch(tasks_url(family, user, task.pk, suffix="complete")),
    ):
        response = call()
        assert response.status_code == 200
        assert response["ETag"] == etag(task)
    assert "ETag" not in user_client.delete(detail)


def test_the_etag_changes_with_every_saved_change_and_only_then(user, user_client, task):
    url = tasks_url("token", user, task.pk)
    seen = [user_client.get(url)["ETag"]]
    for body in ({"title": "one"}, {"title": "two"}, {"completed": True}, {"completed": False}):
        seen.append(user_client.patch(url, body, format="json")["ETag"])
    assert len(set(seen)) == len(seen)
    # The same title again saves nothing, so the version stays.
    assert user_client.patch(url, {"title": "two"}, format="json")["ETag"] == seen[-1]


def test_if_none_match_answers_304_until_the_task_changes(user, user_client, task, family):
    url = tasks_url(family, user, task.pk)
    current = user_client.get(url)["ETag"]

    assert user_client.get(url, HTTP_IF_NONE_MATCH=current).status_code == 304
    user_client.patch(url, {"title": "new"}, format="json")
    assert user_client.get(url, HTTP_IF_NONE_MATCH=current).status_code == 200


def test_a_get_with_a_stale_if_match_is_412(user, user_client, task):
    url = tasks_url("token", user, task.pk)
    assert user_client.get(url, HTTP_IF_MATCH='"nope"').status_code == 412
    assert user_client.get(url, HTTP_IF_MATCH=etag(task)).status_code == 200


@pytest.mark.parametrize(("method", "suffix", "body"), WRITES, ids=WRITE_IDS)
def test_a_write_with_the_current_etag_succeeds(user, user_client, task, family, method, suffix, body):
    response = send(
        user_client, method, tasks_url(family, user, task.pk, suffix=suffix), body, HTTP_IF_MATCH=etag(task)
    )
    assert response.status_code == (204 if method == "delete" else 200), response.content


@pytest.mark.parametrize(("method", "suffix", "body"), WRITES, ids=WRITE_IDS)
def test_a_write_with_a_stale_etag_is_412_and_changes_nothing(
    user, user_client, task, family, method, suffix, body
):
    stale = etag(task)
    user_client.patch(tasks_url(family, user, task.pk), {"title": "someone else"}, format="json")
    before = snapshot(user)

    url = tasks_url(family, user, task.pk, suffix=suffix)
    response = send(user_client, method, url, body, HTTP_IF_MATCH=stale)

    assert_precondition_failed(response, current=etag(task))
    assert snapshot(user) == before


@pytest.mark.parametrize(
    "header",
    ["*", ' "x", {current} ', '"x",{current}', "{current}, W/{current}", ", ,{current}"],
    ids=["star", "list", "tight-list", "strong-beside-weak", "empty-elements"],
)
def test_if_match_matches_star_or_any_listed_strong_etag(user, user_client, task, header):
    header = header.format(current=etag(task))
    url = tasks_url("token", user, task.pk)
    response = user_client.patch(url, {"title": "ok"}, format="json", HTTP_IF_MATCH=header)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    "header",
    ["W/{current}", "{bare}", '"unterminated', "**", "*, {current}", "", " ", '"a" "b"', '"é"'],
    ids=["weak", "unquoted", "unterminated", "stars", "star-in-list", "empty", "blank", "no-comma", "inner"],
)
def test_a_malformed_or_weak_if_match_is_412_never_a_500(user, quiet_client, task, header):
    current = etag(task)
    header = header.format(current=current, bare=current.strip('"'))
    before = snapshot(user)

    url = tasks_url("token", user, task.pk)
    response = quiet_client.patch(url, {"title": "no"}, format="json", HTTP_IF_MATCH=header)

    assert response.status_code == 412, response.content
    assert response.json()["code"] == "precondition_failed"
    assert snapshot(user) == before


def test_if_match_on_another_users_task_is_404(user, other_user, client_for):
    theirs = TaskFactory(user=other_user)
    response = client_for(user).patch(tasks_url("token", user, theirs.pk), {"title": "x"}, HTTP_IF_MATCH="*")
    assert response.status_code == 404
    assert response.json()["code"] == "task_not_found"


@pytest.mark.parametrize(("method", "suffix", "body"), WRITES, ids=WRITE_IDS)
def test_with_if_match_required_a_write_without_it_is_428(
    settings, user, user_client, task, family, method, suffix, body
):
    settings.API_REQUIRE_IF_MATCH = True
    before = snapshot(user)
    url = tasks_url(family, user, task.pk, suffix=suffix)

    response = send(user_client, method, url, body)

    assert response.status_code == 428, response.content
    assert response.json()["code"] == "precondition_required"
    assert snapshot(user) == before
    assert send(user_client, method, url, body, HTTP_IF_MATCH=etag(task)).status_code in (200, 204)


def test_with_if_match_required_reads_and_creates_need_none(settings, user, user_client, task):
    settings.API_REQUIRE_IF_MATCH = True
    assert user_client.get(tasks_url("token", user, task.pk)).status_code == 200
    assert user_client.post(tasks_url("token", user), {"title": "new"}, format="json").status_code == 201


def test_the_admin_change_form_needs_no_etag(settings, staff_client, task):
    settings.API_REQUIRE_IF_MATCH = True
    before = etag(task)
    # The version and the series' bookkeeping are no fields of the form: posted, they are ignored.
    form = {"title": "Fixed by support", "description": "original", "completed": "on", "priority": 2}
    tampered = {"version": 999, "series_start_0": "2000-01-01", "spawned_next": "on"}

    response = staff_client.post(f"/admin/tasks/task/{task.pk}/change/", {**form, **tampered})

    assert response.status_code == 302, response.content
    task.refresh_from_db()
    assert (task.title, task.completed) == ("Fixed by support", True)
    assert etag(task) != before  # an API client holding the old ETag now gets 412
    assert task.version != 999 and (task.series_start, task.spawned_next) == (None, False)


# --- The parser and the check, directly ------------------------------------------------------


def test_precondition_parse_reads_star_and_lists():
    assert precondition_parse(header=None) is None
    assert precondition_parse(header=" * ") == Precondition(any=True)
    assert precondition_parse(header='"1-2", W/"1-3"') == Precondition(etags=frozenset({'"1-2"'}))


def test_a_precondition_matches_only_the_current_version(task):
    assert Precondition(etags=frozenset({task_etag(task)})).matches(task)
    assert not Precondition(etags=frozenset({f'"{task.pk}-{task.version + 1}"'})).matches(task)
    with pytest.raises(PreconditionFailed):
        precondition_parse(header="1-2")
