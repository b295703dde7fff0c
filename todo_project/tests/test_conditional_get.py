"""GET responses carry an ETag; a client that sends it back gets 304 until something changes."""

from tasks.tests.factories import TaskFactory


def test_list_etag_revalidates_until_the_list_changes(user, user_client):
    TaskFactory(user=user)
    first = user_client.get("/api/tasks")
    etag = first["ETag"]

    unchanged = user_client.get("/api/tasks", HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""

    TaskFactory(user=user)
    changed = user_client.get("/api/tasks", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_another_users_etag_does_not_match(user, other_user, client_for):
    TaskFactory(user=user)
    TaskFactory(user=other_user)
    mine = client_for(user).get("/api/tasks")

    theirs = client_for(other_user).get("/api/tasks", HTTP_IF_NONE_MATCH=mine["ETag"])

    assert theirs.status_code == 200
    assert len(theirs.json()) == 1


def test_api_answers_are_private_and_vary_by_token(user, user_client):
    TaskFactory(user=user)
    first = user_client.get("/api/tasks")
    revalidated = user_client.get("/api/tasks", HTTP_IF_NONE_MATCH=first["ETag"])

    for response in (first, revalidated):
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-cache"} <= directives
        assert "Authorization" in {v.strip() for v in response["Vary"].split(",")}
    assert revalidated.status_code == 304


def test_errors_are_not_cached_either(api_client):
    response = api_client.get("/api/tasks")

    assert response.status_code == 401
    assert "private" in response["Cache-Control"]
