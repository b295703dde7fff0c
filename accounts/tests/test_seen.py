"""The memo of synced users: it saves queries, it never grants anything."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.seen import user_last_seen_touch, user_seen_forget, user_seen_recently, user_seen_remember
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_only_the_same_claims_are_remembered():
    user_seen_remember(user_id="ba_memo", email="a@example.com", name="A")

    with CaptureQueriesContext(connection) as context:
        assert user_seen_recently(user_id="ba_memo", email="a@example.com", name="A")
        assert not user_seen_recently(user_id="ba_memo", email="b@example.com", name="A")
        assert not user_seen_recently(user_id="ba_memo", email="a@example.com", name=None)
        assert not user_seen_recently(user_id="ba_other", email="a@example.com", name="A")
    assert context.captured_queries == []

    user_seen_forget(user_id="ba_memo")
    assert not user_seen_recently(user_id="ba_memo", email="a@example.com", name="A")


def test_a_due_last_seen_is_one_conditional_update(settings):
    user = UserFactory(last_seen=timezone.now() - timedelta(hours=1))
    user_seen_remember(user_id=user.pk, email=user.email, name=user.name)
    settings.USER_LAST_SEEN_INTERVAL = 0  # due at once

    with CaptureQueriesContext(connection) as context:
        assert user_seen_recently(user_id=user.pk, email=user.email, name=user.name)

    (query,) = context.captured_queries
    assert query["sql"].startswith("UPDATE") and "last_seen" in query["sql"]
    user.refresh_from_db()
    assert timezone.now() - user.last_seen < timedelta(seconds=5)


def test_the_update_skips_a_last_seen_another_process_just_moved(settings):
    recent = timezone.now()
    user = UserFactory(last_seen=recent)

    assert user_last_seen_touch(user_id=user.pk, interval=60) == 0
    assert User.objects.get(pk=user.pk).last_seen == recent
    assert user_last_seen_touch(user_id=user.pk, interval=0) == 1
