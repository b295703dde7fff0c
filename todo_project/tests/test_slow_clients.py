"""Slow clients cannot stop the service: the production server reads requests asynchronously.

The production command (the Procfile's ``web`` line, as the README's "Deploying" runs it)
is started with production settings on a free loopback port. Ten connections then trickle
their request headers a byte at a time, never finishing them, while ``/api/health`` is
asked again and again: every answer must come within a second. A server that reads a
request inside its worker (gunicorn's sync workers, measured) fails this at the first probe.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from todo_project.tests.slow_clients import HOST, TrickleClients, health_latency, probe_health

ROOT = Path(__file__).resolve().parents[2]
# The 30 s: longer than the server's header read timeout, so the window also
# covers the trickling connections being dropped and opened again.
WINDOW_SECONDS = 30
SLOW_CONNECTIONS = 10
LIMIT_SECONDS = 1.0


def production_command() -> str:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return next(line.removeprefix("web:").strip() for line in lines if line.startswith("web:"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@pytest.fixture
def production_server(tmp_path):
    """The Procfile's ``web`` command on a loopback port; its port. Stopped afterwards."""
    port = free_port()
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "todo_project.settings.production",
        "DJANGO_ENV_FILE": "",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "BETTER_AUTH_SECRET": secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "PORT": str(port),
        "GRANIAN_HOST": HOST,
        "WEB_CONCURRENCY": "2",
    }
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        ["/bin/sh", "-c", f"exec {production_command()}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while health_latency(port, timeout=1) == float("inf"):
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "the production server did not come up"
            time.sleep(0.2)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_health_answers_within_a_second_while_clients_trickle_headers(production_server):
    with TrickleClients(production_server, connections=SLOW_CONNECTIONS, interval=0.1) as clients:
        latencies = probe_health(production_server, window=WINDOW_SECONDS, every=0.25, timeout=3)
        trickled = clients.bytes_sent

    late = [round(value, 2) for value in latencies if value > LIMIT_SECONDS]
    assert not late, f"{len(late)} of {len(latencies)} health probes took over {LIMIT_SECONDS} s: {late[:10]}"
    assert len(latencies) >= WINDOW_SECONDS  # probes kept coming, four a second
    # The slow clients did hold their connections open and kept sending the whole time.
    assert trickled >= SLOW_CONNECTIONS * WINDOW_SECONDS * 5
