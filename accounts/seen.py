"""Which users this process has recently synced from their claims: a memo, not a cache of rights.

A view whose own query checks the account (``is_active``, joined into the query that reads
its rows) lets authentication skip the user's ``SELECT`` when the token's claims are the
ones this process last wrote. The memo never decides whether a user may act: a deactivated
or deleted user makes that query find nothing, and the view then runs the full check
(``authentication.user_check_complete``), which refuses at once.

What it saves each request: the user's ``SELECT`` (and, once a minute, the ``last_seen``
write in a transaction of its own, which becomes one conditional ``UPDATE``).
"""

import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import User

# Bounded: beyond this many users, the memo starts again (each then costs one full sync).
MAX_USERS = 10_000

_memo: dict[str, tuple[object, object, float]] = {}
_lock = threading.Lock()


def user_seen_remember(*, user_id: str, email: object, name: object) -> None:
    """Notes that ``user_id`` exists, is active and was synced from these raw claims just now."""
    with _lock:
        if len(_memo) >= MAX_USERS:
            _memo.clear()
        _memo[user_id] = (email, name, time.monotonic())


def user_seen_forget(*, user_id: str | None = None) -> None:
    """Forgets one user (or all): their next request is synced in full."""
    with _lock:
        if user_id is None:
            _memo.clear()
        else:
            _memo.pop(user_id, None)


def user_seen_recently(*, user_id: str, email: object, name: object) -> bool:
    """Whether these claims were synced for ``user_id`` by this process.

    Once ``USER_LAST_SEEN_INTERVAL`` has passed since then, also moves ``last_seen`` with
    one conditional ``UPDATE`` (no transaction of its own, no read first).
    """
    entry = _memo.get(user_id)
    if entry is None or entry[0] != email or entry[1] != name:
        return False
    interval = settings.USER_LAST_SEEN_INTERVAL
    if time.monotonic() - entry[2] >= interval:
        user_last_seen_touch(user_id=user_id, interval=interval)
        user_seen_remember(user_id=user_id, email=email, name=name)
    return True


def user_last_seen_touch(*, user_id: str, interval: float) -> int:
    """``last_seen = now`` unless it moved within ``interval`` seconds (by any process)."""
    now = timezone.now()
    due = Q(last_seen__isnull=True) | Q(last_seen__lt=now - timedelta(seconds=interval))
    return User.objects.filter(due, pk=user_id).update(last_seen=now)
