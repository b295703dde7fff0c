"""HEAD: the headers a GET would get, Content-Length included, and no body from the app."""

import tempfile
from pathlib import Path

import pytest
from django.http import HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.test import RequestFactory

from testing.app_server import manage, production_environment, start_app_server
from testing.helpers import make_token
from todo_project.middleware import HeadWithoutBodyMiddleware

GUNICORN_WARNING = "no-body response"


@pytest.fixture(scope="module")
def sqlite_server():
    with tempfile.TemporaryDirectory() as folder:
        env = production_environment(SQLITE_PATH=str(Path(folder) / "head.sqlite3"))
        manage(env, "migrate", "--no-input", "-v", "0")
        with start_app_server(env) as server:
            yield server


@pytest.mark.parametrize("path", ["/api/health", "/api/tasks", "/api/nothing-here"])
def test_head_answers_like_get_without_a_body_and_the_server_has_nothing_to_drop(sqlite_server, path):
    token = make_token(key=sqlite_server.env["BETTER_AUTH_SECRET"], sub="head-user")
    get_status, get_headers, get_body = sqlite_server.request("GET", path, token=token)
    head_status, head_headers, head_body = sqlite_server.request("HEAD", path, token=token)

    assert head_status == get_status
    assert head_body == b""
    assert int(head_headers["Content-Length"]) == len(get_body) > 0
    assert head_headers["Content-Type"] == get_headers["Content-Type"]
    assert GUNICORN_WARNING not in sqlite_server.log()


def run_middleware(method: str, response):
    request = RequestFactory().generic(method, "/api/health")
    return HeadWithoutBodyMiddleware(lambda request: response)(request)


def test_a_body_without_content_length_gets_one_before_it_goes():
    response = run_middleware("HEAD", HttpResponse(b"twelve bytes"))

    assert response.content == b""
    assert response["Content-Length"] == "12"


def test_not_modified_gets_no_content_length():
    response = run_middleware("HEAD", HttpResponseNotModified())

    assert not response.has_header("Content-Length")


def test_a_streamed_body_is_not_sent_for_head():
    response = StreamingHttpResponse(iter([b"a", b"b"]), headers={"Content-Length": "2"})
    response = run_middleware("HEAD", response)

    assert b"".join(response.streaming_content) == b""
    assert response["Content-Length"] == "2"


def test_get_keeps_its_body():
    assert run_middleware("GET", HttpResponse(b"body")).content == b"body"
