"""An answer is freed when it has been sent: no reference cycle keeps a page for the collector."""

import gc

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from tasks.tests.factories import TaskFactory


def _served(environ: dict) -> tuple[str, bytes]:
    """One request through the real WSGI handler, its body read and the response closed;
    as Django's test client does, without closing the test's connection (its transaction)."""
    statuses = []
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
        try:
            content = b"".join(body)
        finally:
            body.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return statuses[0], content


def _garbage_after(environ: dict) -> tuple[str, list]:
    """The request's status, and what only the cycle collector would have freed after it."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        status, _ = _served(environ)
        gc.collect()
        return status, list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/tasks?limit=100", "/api/{user}/tasks/{task}"])
def test_no_answer_waits_for_the_cycle_collector(user, token_for, path):
    tasks = TaskFactory.create_batch(20, user=user, tags=["work"])
    url = path.format(user=user.pk, task=tasks[0].pk)
    environ = RequestFactory().get(url, HTTP_AUTHORIZATION=f"Bearer {token_for(user)}").environ

    status, garbage = _garbage_after(environ)

    assert status.startswith("200")
    answers = [item for item in garbage if isinstance(item, dict) and {"id", "title", "tags"} <= item.keys()]
    assert answers == []
    assert not [item for item in garbage if type(item).__name__ == "Response"]
