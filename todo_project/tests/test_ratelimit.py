"""The rate-limit counters: exact under concurrent hits, windows that end, stores that fail open."""

import sqlite3
import threading
import uuid

import pytest

from testing.helpers import assert_problem, run_django
from todo_project import ratelimit
from todo_project.ratelimit import SQLiteCounter, rate_limit_hit
from todo_project.ratelimit_redis import RedisCounter
from todo_project.tests.ratelimit_helpers import REDIS_URL, FakeClock, closed_port, redis_client, redis_prefix

THREADS = 32
HITS_EACH = 5
LIMIT = 20


@pytest.fixture
def sqlite_counter(tmp_path):
    return SQLiteCounter(tmp_path / "ratelimit.sqlite3")


@pytest.fixture
def redis_counter():
    client = redis_client()
    with redis_prefix(client) as prefix:
        yield RedisCounter(client, prefix=prefix)


@pytest.fixture(params=["sqlite_counter", "redis_counter"])
def counter(request):
    return request.getfixturevalue(request.param)


def hammer(counter, key: str = "k") -> list[int]:
    """THREADS threads released together, each hitting ``key`` HITS_EACH times: the counts seen."""
    barrier = threading.Barrier(THREADS)
    counts, errors = [], []

    def client():
        try:
            barrier.wait(timeout=10)
            for _ in range(HITS_EACH):
                counts.append(counter.hit(key, window=60).count)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=client) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    return counts


def test_concurrent_hits_are_each_counted_once(counter):
    counts = hammer(counter)

    # No two hits saw the same count and none was lost: exactly LIMIT of them are allowed.
    assert sorted(counts) == list(range(1, THREADS * HITS_EACH + 1))
    assert sum(count <= LIMIT for count in counts) == LIMIT


def test_keys_are_counted_apart(counter):
    assert [counter.hit("a", window=60).count for _ in range(3)] == [1, 2, 3]
    assert counter.hit("b", window=60).count == 1


def test_the_window_ends_at_its_period_from_the_first_hit(tmp_path):
    clock = FakeClock(1_000.0)
    counter = SQLiteCounter(tmp_path / "ratelimit.sqlite3", clock=clock)

    first = counter.hit("k", window=60)
    clock.now += 59.5
    last = counter.hit("k", window=60)
    clock.now += 0.5
    fresh = counter.hit("k", window=60)

    assert (first.count, first.reset_in) == (1, 60)
    assert (last.count, last.reset_in) == (2, pytest.approx(0.5))
    assert (fresh.count, fresh.reset_in) == (1, 60)


def test_a_redis_window_expires_on_the_server(redis_counter):
    first = redis_counter.hit("k", window=0.2)
    second = redis_counter.hit("k", window=0.2)
    threading.Event().wait(0.3)
    fresh = redis_counter.hit("k", window=0.2)

    assert first.count == 1 and 0 < first.reset_in <= 0.2
    assert second.count == 2 and 0 < second.reset_in <= first.reset_in
    assert fresh.count == 1


def test_a_redis_key_without_an_expiry_gets_one(redis_counter):
    # Written by hand, or left by a crash of a non-atomic writer: it must not count forever.
    redis_counter_key = f"{redis_counter.prefix}:k"
    redis_client().set(redis_counter_key, 7)

    hit = redis_counter.hit("k", window=60)

    assert hit.count == 8
    assert 59 < hit.reset_in <= 60
    assert 0 < redis_client().pttl(redis_counter_key) <= 60_000


def test_the_sqlite_count_is_shared_by_every_connection_to_the_file(tmp_path):
    # Another worker, or the same worker after a restart, opens the file anew.
    path = tmp_path / "ratelimit.sqlite3"
    SQLiteCounter(path).hit("k", window=60)
    SQLiteCounter(path).hit("k", window=60)

    assert SQLiteCounter(path).hit("k", window=60).count == 3
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_ended_windows_are_purged_now_and_then(tmp_path, monkeypatch):
    monkeypatch.setattr(ratelimit, "SQLITE_PURGE_EVERY", 3)
    clock = FakeClock(0.0)
    path = tmp_path / "ratelimit.sqlite3"
    counter = SQLiteCounter(path, clock=clock)
    counter.hit("old", window=1)
    clock.now = 10.0
    counter.hit("new", window=60)
    counter.hit("new", window=60)

    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT key, count FROM hits").fetchall() == [("new", 2)]


# --- Through the settings ---------------------------------------------------------------------


def test_a_redis_that_does_not_answer_lets_requests_through(settings, caplog):
    settings.REDIS_URL = f"redis://:a-password@127.0.0.1:{closed_port()}/0"

    assert rate_limit_hit(key="k", window=60) is None
    assert "Rate limit not counted" in caplog.text
    assert "a-password" not in caplog.text


def test_an_unwritable_sqlite_file_lets_requests_through(settings, tmp_path, caplog):
    settings.REDIS_URL = ""
    settings.API_THROTTLE_SQLITE_PATH = str(tmp_path / "missing-directory" / "ratelimit.sqlite3")

    assert rate_limit_hit(key="k", window=60) is None
    assert "Rate limit not counted" in caplog.text


def test_the_default_file_lives_in_a_private_directory(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(ratelimit.tempfile, "gettempdir", lambda: str(tmp_path))
    settings.REDIS_URL = ""
    settings.API_THROTTLE_SQLITE_PATH = ""

    assert [rate_limit_hit(key="k", window=60).count for _ in range(2)] == [1, 2]
    (directory,) = tmp_path.iterdir()
    assert directory.stat().st_mode & 0o777 == 0o700
    assert len(list(directory.glob("*.sqlite3"))) == 1


def test_a_default_directory_others_may_write_is_refused(settings, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(ratelimit.tempfile, "gettempdir", lambda: str(tmp_path))
    settings.REDIS_URL = ""
    settings.API_THROTTLE_SQLITE_PATH = ""
    planted = ratelimit.default_sqlite_path().parent
    planted.chmod(0o777)

    assert rate_limit_hit(key="k", window=60) is None
    assert "PermissionError" in caplog.text


@pytest.mark.django_db
def test_the_api_limit_counts_in_redis(settings, client_for, user):
    client = redis_client()
    with redis_prefix(client) as prefix:
        settings.REDIS_URL = REDIS_URL
        settings.API_THROTTLE_KEY_PREFIX = prefix
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "2/min"}}
        api = client_for(user)

        statuses = [api.get("/api/tasks").status_code for _ in range(2)]
        refused = api.get("/api/tasks")

        assert statuses == [200, 200]
        assert_problem(refused, 429, "throttled")
        assert 0 < int(refused["Retry-After"]) <= 60
        # One key, named by a hash: the user id itself is not in Redis.
        (key,) = client.keys(f"{prefix}:*")
        assert user.pk.encode() not in key and client.get(key) == b"3"


@pytest.mark.django_db
def test_the_api_allows_requests_while_redis_is_down(settings, client_for, user):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "1/min"}}
    api = client_for(user)

    assert [api.get("/api/tasks").status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.parametrize("rate", ["lots", "20", "/min", "20/fortnight", "-5/min"])
def test_a_rate_that_is_not_one_refuses_to_start(rate):
    result = run_django("pass", "todo_project.settings.test", API_THROTTLE_RATE=rate)

    assert result.returncode != 0
    assert "API_THROTTLE_RATE must look like 600/min" in result.stderr


@pytest.mark.parametrize("with_redis", [False, True])
def test_the_redis_client_is_loaded_only_for_a_redis_url(tmp_path, with_redis):
    code = (
        "from todo_project.wsgi import application; import sys; "
        "from todo_project.ratelimit import rate_limit_hit; "
        "print(rate_limit_hit(key='loaded', window=60).count, 'redis' in sys.modules)"
    )
    env = {
        "API_THROTTLE_SQLITE_PATH": str(tmp_path / "ratelimit.sqlite3"),
        "SQLITE_PATH": str(tmp_path / "db"),
    }
    if with_redis:
        env |= {"REDIS_URL": REDIS_URL, "API_THROTTLE_KEY_PREFIX": f"loaded-{uuid.uuid4().hex}"}
    result = run_django(code, "todo_project.settings.test", **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", str(with_redis)]  # counted, by the store asked for
