"""Migration 0006: the claims of the old Idempotency-Key design go, the answers stay; it reverses."""

import pytest
from django.utils import timezone

from tasks.tests.migrations_helpers import migrate

BEFORE = [("tasks", "0005_read_path_indexes")]
AFTER = [("tasks", "0006_idempotency_key_without_claim")]


@pytest.mark.django_db(transaction=True)
def test_unanswered_keys_are_dropped_answered_ones_kept_and_it_reverses(back_to_latest):
    old_apps = migrate(BEFORE)
    owner = old_apps.get_model("accounts", "User").objects.create(id="before-0006", email="k@example.com")
    OldKey = old_apps.get_model("tasks", "IdempotencyKey")
    now = timezone.now()
    OldKey.objects.create(user=owner, key="running", fingerprint="f", claim="c", created_at=now)
    OldKey.objects.create(
        user=owner, key="done", fingerprint="f", claim="c", created_at=now, status=201, body={}
    )

    new_apps = migrate(AFTER)
    keys = new_apps.get_model("tasks", "IdempotencyKey").objects.filter(user_id=owner.pk)

    assert list(keys.values_list("key", "status")) == [("done", 201)]
    migrate(BEFORE)
    assert list(OldKey.objects.filter(user=owner).values_list("key", flat=True)) == ["done"]
