"""The application behind a real HTTP server on loopback, with production settings.

:func:`start_app_server` is the one place that knows the server command, so tests keep
working when the production server changes.
"""

import atexit
import functools
import http.client
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager, suppress
from pathlib import Path

from .private_postgres import free_port

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
START_SECONDS = 60


@functools.cache
def collected_static_root() -> str:
    """A folder ``collectstatic`` has filled, once per test run: production refuses to start without."""
    root = tempfile.mkdtemp(prefix="todo-static-")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "todo_project.settings.production",
        "DJANGO_ENV_FILE": "",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "BETTER_AUTH_SECRET": secrets.token_urlsafe(48),
        "DJANGO_STATIC_ROOT": root,
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


def production_environment(**overrides: str) -> dict[str, str]:
    """Production settings with secrets made for this run; nothing from the caller's environment."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "todo_project.settings.production",
        "DJANGO_ENV_FILE": "",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "BETTER_AUTH_SECRET": secrets.token_urlsafe(48),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "API_THROTTLE_RATE": "1000000/min",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_STATIC_ROOT": collected_static_root(),
    }
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=120)


class AppServer:
    """A running server: its port, its environment and what it logged."""

    def __init__(self, process: subprocess.Popen, port: int, env: dict[str, str], log: Path):
        self.process, self.port, self.env, self.log_path = process, port, env, log

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def request(self, method: str, path: str, *, token=None, body=None, timeout: float = 15):
        """One request on a new connection: ``(status, headers, body bytes)``.

        The headers are looked up without regard to case, as HTTP names are (granian sends
        them in lower case).
        """
        connection = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        headers = {"Host": HOST}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def wait_until_up(self, timeout: float = START_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The server exited:\n{self.log()}")
            try:
                if self.request("GET", "/api/health", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"The server did not come up:\n{self.log()}")

    def workers(self) -> set[int]:
        """The worker processes' ids (the server's children)."""
        pid = self.process.pid
        return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}

    def wait_for_workers(self, count: int, *, replacing: frozenset[int] = frozenset()) -> None:
        """Until ``count`` workers, none of them in ``replacing``, run and health answers."""
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The server exited:\n{self.log()}")
            current = self.workers()
            if len(current) == count and not current & replacing:
                self.wait_until_up()
                return
            time.sleep(0.1)
        raise RuntimeError(f"The workers did not come up:\n{self.log()}")

    def restart_workers(self, *, count: int) -> None:
        """Replaces every worker (SIGHUP: the server respawns them) and waits for the new ones."""
        old = frozenset(self.workers())
        self.process.send_signal(signal.SIGHUP)
        self.wait_for_workers(count, replacing=old)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        # A worker can outlive its master (one was found still serving after a passing run,
        # its parent gone): the server has a process group of its own, and none of it stays.
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


def production_command() -> str:
    """The Procfile's ``web`` line: the command the README's "Deploying" runs."""
    lines = (ROOT / "Procfile").read_text().splitlines()
    return next(line.removeprefix("web:").strip() for line in lines if line.startswith("web:"))


@contextmanager
def start_app_server(env: dict[str, str], workers: int = 2):
    """The production command (the Procfile's) on a spare loopback port, stopped afterwards."""
    port = free_port()
    # What the Procfile line reads; the virtualenv's scripts first on PATH.
    env = {
        **env,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "GRANIAN_HOST": HOST,
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
    }
    with tempfile.TemporaryDirectory(prefix="app-server-") as folder:
        log = Path(folder) / "server.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                ["/bin/sh", "-c", f"exec {production_command()}"],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = AppServer(process, port, env, log)
        try:
            server.wait_until_up()
            server.wait_for_workers(workers)
            yield server
        finally:
            server.stop()
