"""Slow clients cannot stop the service: the production server reads requests asynchronously.

The production command (the Procfile's ``web`` line, as the README's "Deploying" runs it)
is started with production settings on a free loopback port. Ten connections then trickle
their request headers a byte at a time, never finishing them, while ``/api/health`` is
asked again and again: every answer must come within a second. A server that reads a
request inside its worker (gunicorn's sync workers, measured) fails this at the first probe.
"""

import pytest

from testing.app_server import manage, production_environment, start_app_server
from todo_project.tests.slow_clients import TrickleClients, probe_health

# The 30 s: longer than the server's header read timeout, so the window also
# covers the trickling connections being dropped and opened again.
WINDOW_SECONDS = 30
SLOW_CONNECTIONS = 10
LIMIT_SECONDS = 1.0


@pytest.fixture
def production_server(tmp_path):
    """The Procfile's ``web`` command on a loopback port; its port. Stopped afterwards."""
    env = production_environment(SQLITE_PATH=str(tmp_path / "db.sqlite3"))
    manage(env, "migrate", "--no-input", "-v", "0")
    with start_app_server(env) as server:
        yield server.port


def test_health_answers_within_a_second_while_clients_trickle_headers(production_server):
    with TrickleClients(production_server, connections=SLOW_CONNECTIONS, interval=0.1) as clients:
        latencies = probe_health(production_server, window=WINDOW_SECONDS, every=0.25, timeout=3)
        trickled = clients.bytes_sent

    late = [round(value, 2) for value in latencies if value > LIMIT_SECONDS]
    assert not late, f"{len(late)} of {len(latencies)} health probes took over {LIMIT_SECONDS} s: {late[:10]}"
    assert len(latencies) >= WINDOW_SECONDS  # probes kept coming, four a second
    # The slow clients did hold their connections open and kept sending the whole time.
    assert trickled >= SLOW_CONNECTIONS * WINDOW_SECONDS * 5
