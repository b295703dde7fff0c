"""A real server with the production settings on a loopback port, for tests that need workers.

``running_server`` is the one place that knows the server's command line: switching servers
means changing ``server_command`` and ``LiveServer.restart_workers`` here, not the tests.
"""

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from testing.app_server import collected_static_root
from testing.helpers import ROOT

HOST = "127.0.0.1"
START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def production_env(workdir: Path, **extra: str) -> dict[str, str]:
    """Production settings with fresh secrets, a SQLite file under ``workdir``, no .env file."""
    env = {
        "DJANGO_STATIC_ROOT": collected_static_root(),
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "todo_project.settings.production",
        "DJANGO_ENV_FILE": "",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "BETTER_AUTH_SECRET": secrets.token_urlsafe(48),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_LOG_LEVEL": "WARNING",
        "SQLITE_PATH": str(workdir / "db.sqlite3"),
    }
    return {**env, **extra}


def server_command(*, port: int, workers: int, workdir: Path) -> list[str]:
    return [
        *(sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "todo_project.wsgi"),
        *("--bind", f"{HOST}:{port}", "--workers", str(workers)),
        *("--control-socket", str(workdir / "gunicorn.ctl"), "--access-logfile", "/dev/null"),
    ]


def request(port: int, path: str, *, token: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """One GET on a connection of its own: status, headers, body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@dataclass
class LiveServer:
    """A running server: its port, its master process and its log."""

    port: int
    process: subprocess.Popen
    log: Path

    def is_up(self) -> bool:
        try:
            return request(self.port, "/api/health")[0] == 200
        except OSError:
            return False

    def workers(self) -> set[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        return {int(pid) for pid in children.split()}

    def restart_workers(self, *, count: int) -> None:
        """Replaces every worker (gunicorn's SIGHUP) and waits for ``count`` new ones to answer."""
        old = self.workers()
        self.process.send_signal(signal.SIGHUP)
        self._wait(lambda: len(self.workers()) == count and not self.workers() & old and self.is_up())

    def _wait(self, condition) -> None:
        deadline = time.monotonic() + START_SECONDS
        while not condition():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"The server is not ready:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.1)


def migrate(env: dict[str, str]) -> None:
    """Brings the database ``env`` names up to date (a SQLite file: copy it to reuse it)."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )


@contextlib.contextmanager
def running_server(env: dict[str, str], *, workdir: Path, workers: int = 2) -> Iterator[LiveServer]:
    """Starts the server on a migrated database, waits for ``/api/health``; always stops it."""
    port = free_port()
    log = workdir / "server.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            server_command(port=port, workers=workers, workdir=workdir),
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(port=port, process=process, log=log)
    try:
        server._wait(lambda: len(server.workers()) == workers and server.is_up())
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
