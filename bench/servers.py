"""The servers the bench starts: the project under a chosen HTTP server, and the reference.

Every server binds a free 127.0.0.1 port, logs to a file in the run's temporary folder and
is stopped (its whole process group) when the run ends, however it ends.
"""

import contextlib
import http.client
import importlib.util
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
WORKERS = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def production_command() -> str:
    """The Procfile's ``web`` line: the command the README's "Deploying" runs."""
    lines = (ROOT / "Procfile").read_text().splitlines()
    return next(line.removeprefix("web:").strip() for line in lines if line.startswith("web:"))


def project_command(kind: str, port: int, workers: int, threads: int) -> list[str]:
    """The project under one of the servers compared in the README's "Benchmarks".

    ``granian`` is the production command itself, its host, port and workers from the
    environment (``server_environment``); the others are the alternatives measured.
    """
    bind = ["--bind", f"{HOST}:{port}", "--workers", str(workers)]
    # The settings gunicorn.conf.py had while gunicorn was the production server; its control
    # socket off (gunicorn 27 otherwise opens one at a path every instance shares).
    gunicorn = [
        sys.executable,
        *["-m", "gunicorn", "todo_project.wsgi", "--no-control-socket", "--access-logfile", "-"],
        *["--limit-request-field_size", "32768", "--limit-request-line", "8190"],
        *["--max-requests", "5000", "--max-requests-jitter", "500"],
        *bind,
    ]
    commands = {
        "granian": ["/bin/sh", "-c", f"exec {production_command()}"],
        "gunicorn-sync": gunicorn,
        "gunicorn-gthread": [*gunicorn, "--worker-class", "gthread", "--threads", str(threads)],
        "uvicorn": [
            sys.executable,
            *f"-m uvicorn --host {HOST} --port {port} --workers {workers} --no-access-log".split(),
            "todo_project.asgi:application",
        ],
    }
    module = {"gunicorn-sync": "gunicorn", "gunicorn-gthread": "gunicorn", "uvicorn": "uvicorn"}.get(kind)
    if module and importlib.util.find_spec(module) is None:
        raise SystemExit(f"--server {kind} needs {module}, which production does not: pip install {module}")
    return commands[kind]


SERVER_KINDS = ("granian", "gunicorn-sync", "gunicorn-gthread", "uvicorn")


def server_environment(env: dict[str, str], port: int, workers: int, threads: int) -> dict[str, str]:
    """What the production command reads: loopback, the port, the workers and their threads;
    the venv first."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return {
        **env,
        "PATH": path,
        "GRANIAN_HOST": HOST,
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "GRANIAN_BLOCKING_THREADS": str(threads),
    }


def project_environment(workdir: Path, shared_secret: str) -> dict[str, str]:
    """Production settings with throw-away secrets; the rate limit out of the way."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "todo_project.settings.production",
        "DJANGO_ENV_FILE": "",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "BETTER_AUTH_SECRET": shared_secret,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "API_THROTTLE_RATE": "1000000/min",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    env.pop("BETTER_AUTH_URL", None)
    if not env.get("DATABASE_URL"):
        env["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    return env


def reference_database_url(env: dict[str, str]) -> str:
    """The project's database, in SQLAlchemy's async spelling (asyncpg or aiosqlite)."""
    url = env.get("DATABASE_URL", "")
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+asyncpg://" + url[len(scheme) :]
    if url:
        raise SystemExit(f"The reference supports PostgreSQL and SQLite, not {url.split(':')[0]}.")
    return "sqlite+aiosqlite:///" + env["SQLITE_PATH"]


class Server:
    """A server process group on a loopback port; ``stop`` ends the group."""

    def __init__(self, name: str, port: int, command: list[str], env: dict[str, str], cwd: Path, log: Path):
        self.name, self.port, self.log = name, port, log
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/api/health", headers={"Host": HOST})
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                time.sleep(0.2)
        tail = self.log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"{self.name} did not come up. Its log ends with:\n{tail}")

    def worker_rss_mb(self) -> list[float]:
        """VmRSS of each worker: the processes under the master, trackers left out."""
        return [rss for _, rss in _descendants(self.process.pid)]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        # Workers outlive a killed master only briefly; make sure none stays.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


def _descendants(pid: int) -> list[tuple[int, float]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, stack = [], list(children.get(pid, []))
    while stack:
        child = stack.pop()
        stack.extend(children.get(child, []))
        try:
            cmdline = (Path("/proc") / str(child) / "cmdline").read_bytes()
            status = (Path("/proc") / str(child) / "status").read_text()
        except OSError:
            continue
        if b"resource_tracker" in cmdline or b"semaphore_tracker" in cmdline:
            continue
        rss_kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        found.append((child, rss_kb / 1024))
    return found
