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
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from .private_postgres import free_port

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


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
        """One request on a new connection: ``(status, headers, body bytes)``."""
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
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def wait_until_up(self, timeout: float = 30) -> None:
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

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@contextmanager
def start_app_server(env: dict[str, str], workers: int = 2):
    """The production server (gunicorn, sync workers, gunicorn.conf.py) on a spare port."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="app-server-") as folder:
        log = Path(folder) / "server.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "gunicorn.conf.py",
                    "todo_project.wsgi",
                    "--bind",
                    f"{HOST}:{port}",
                    "--workers",
                    str(workers),
                ],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        server = AppServer(process, port, env, log)
        try:
            server.wait_until_up()
            yield server
        finally:
            server.stop()
