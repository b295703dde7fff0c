from tasks.tests.factories import TaskFactory


def test_list_shows_only_own_tasks(user, other_user, user_client):
    mine = TaskFactory(user=user)
    TaskFactory(user=other_user)

    response = user_client.get("/api/tasks")

    assert response.status_code == 200
    assert [task["id"] for task in response.json()] == [mine.pk]
    assert response["X-Total-Count"] == "1"
