"""Load test of the API against a real server on loopback.

Starts gunicorn with production settings on a free 127.0.0.1 port (a throw-away SQLite
file unless DATABASE_URL is set), then sends a bounded number of requests per scenario
from a few client threads and reports throughput and latency. Each scenario's throughput
is given as a ratio of ``/api/health`` (a request that touches neither the database nor
the token) measured in the same run, so the numbers compare across machines.

    make bench                          # defaults
    .venv/bin/python bench/run.py --requests 2000 --concurrency 8 --min-ratio 0.2
"""

import argparse
import http.client
import itertools
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import jwt

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SEED_TASKS = 100


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_environment(workdir: Path, shared_secret: str) -> dict[str, str]:
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


class Server:
    """gunicorn on a loopback port, stopped on exit."""

    def __init__(self, env: dict[str, str], workers: int):
        self.port = free_port()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "todo_project.wsgi",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,  # the access log: one line per request, noise here
        )

    def wait_until_up(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                status, _ = request(self.port, "GET", "/api/health")
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("The server did not come up.")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def request(port, method, path, token=None, body=None, connection=None, extra=None, seen=None):
    conn = connection or http.client.HTTPConnection(HOST, port, timeout=10)
    headers = {"Host": HOST, **(extra or {})}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if seen is not None:
        seen["ETag"] = response.getheader("ETag")
    if connection is None:
        conn.close()
    return response.status, data


def run_scenario(port, *, method, path, token, body, total, concurrency, expect, headers=None):
    """``total`` requests over ``concurrency`` keep-alive connections; latencies in ms.

    ``path`` may be a function of the client thread's number (each its own task), and
    ``headers`` a function of the thread's state (``ETag`` of its last response) giving each
    request's extra headers.
    """
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    per_thread = total // concurrency

    def worker(number):
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        mine, bad = [], []
        target = path(number) if callable(path) else path
        state = {"ETag": None}
        if headers:  # the ETag to start from, outside the timing
            request(port, "GET", target, token, connection=conn, seen=state)
        for _ in range(per_thread):
            extra = headers(state) if headers else None
            started = time.perf_counter()
            status, _ = request(port, method, target, token, body, connection=conn, extra=extra, seen=state)
            mine.append((time.perf_counter() - started) * 1000)
            if status != expect:
                bad.append(status)
        conn.close()
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95) - 1],
        "failures": failures,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=600, help="requests per scenario (default 600)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--min-ratio", type=float, default=0.0, help="fail when a scenario's ratio to health is below this"
    )
    args = parser.parse_args()
    if not (1 <= args.concurrency <= 64 and args.concurrency <= args.requests <= 100_000):
        parser.error("need 1 <= concurrency <= 64 and concurrency <= requests <= 100000")

    shared_secret = secrets.token_urlsafe(48)
    with tempfile.TemporaryDirectory() as workdir:
        server = Server(server_environment(Path(workdir), shared_secret), args.workers)
        try:
            server.wait_until_up()
            user = f"bench-{secrets.token_hex(4)}"
            token = jwt.encode(
                {"sub": user, "email": f"{user}@example.com", "exp": int(time.time()) + 3600},
                shared_secret,
                algorithm="HS256",
            )
            for number in range(SEED_TASKS):
                status, data = request(server.port, "POST", "/api/tasks", token, {"title": f"Task {number}"})
                if status != 201:
                    raise SystemExit(f"Seeding failed: {status} {data!r}")
            task_id = json.loads(data)["id"]
            # One task per client thread for the PATCHes, so If-Match never meets another's write.
            own = []
            for number in range(args.concurrency):
                status, data = request(server.port, "POST", "/api/tasks", token, {"title": f"Own {number}"})
                own.append(json.loads(data)["id"])
            keys = itertools.count()

            scenarios = [
                ("health (baseline)", "GET", "/api/health", None, None, 200),
                ("list 100 tasks", "GET", "/api/tasks", token, None, 200),
                (
                    "list 20, filtered",
                    "GET",
                    "/api/tasks?limit=20&completed=false&ordering=title",
                    token,
                    None,
                    200,
                ),
                ("retrieve one", "GET", f"/api/tasks/{task_id}", token, None, 200),
                ("toggle complete", "PATCH", f"/api/tasks/{task_id}/complete", token, None, 200),
                ("create", "POST", "/api/tasks", token, {"title": "Bench", "description": "x" * 200}, 201),
                (
                    "create + Idempotency-Key",
                    "POST",
                    "/api/tasks",
                    token,
                    {"title": "Bench", "description": "x" * 200},
                    201,
                    lambda state: {"Idempotency-Key": f"bench-{next(keys)}"},
                ),
                ("patch", "PATCH", lambda n: f"/api/tasks/{own[n]}", token, {"title": "Bench"}, 200),
                (
                    "patch + If-Match",
                    "PATCH",
                    lambda n: f"/api/tasks/{own[n]}",
                    token,
                    {"title": "Bench"},
                    200,
                    lambda state: {"If-Match": state["ETag"]},
                ),
                ("unauthenticated (401)", "GET", "/api/tasks", None, None, 401),
            ]
            results = []
            for name, method, path, tok, body, expect, *headers in scenarios:
                result = run_scenario(
                    server.port,
                    method=method,
                    path=path,
                    token=tok,
                    body=body,
                    total=args.requests,
                    concurrency=args.concurrency,
                    expect=expect,
                    headers=headers[0] if headers else None,
                )
                results.append((name, result))
        finally:
            server.stop()

    baseline = results[0][1]["rps"]
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(
        f"\n{database}, {args.workers} gunicorn workers, {args.concurrency} clients, "
        f"{args.requests} requests each\n"
    )
    print(f"{'scenario':24} {'req/s':>8} {'ratio':>6} {'p50 ms':>7} {'p95 ms':>7}  failures")
    worst = 1.0
    failed = False
    for name, result in results:
        ratio = result["rps"] / baseline
        worst = min(worst, ratio)
        failed |= bool(result["failures"])
        print(
            f"{name:24} {result['rps']:8.0f} {ratio:6.2f} {result['p50']:7.1f} {result['p95']:7.1f}"
            f"  {len(result['failures']) or ''}"
        )
    # The budget: a conditional or idempotent request costs at most 1.3x its plain twin.
    rates = {name: result["rps"] for name, result in results}
    over_budget = False
    for variant, plain in (("create + Idempotency-Key", "create"), ("patch + If-Match", "patch")):
        cost = rates[plain] / rates[variant]
        print(f"{variant} costs {cost:.2f}x {plain}{'  (over 1.3x)' if cost > 1.3 else ''}")
        over_budget = over_budget or cost > 1.3
    if failed:
        print("\nSome requests did not get the expected status.")
        return 1
    if over_budget:
        print("\nA conditional or idempotent request cost more than 1.3x its plain one.")
        return 1
    if worst < args.min_ratio:
        print(f"\nA scenario fell below --min-ratio {args.min_ratio}.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
