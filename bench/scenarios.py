"""The scenarios both APIs are loaded with, and the data they need (a user with 100 tasks)."""

import http.client
import json
import secrets
import time
from dataclasses import dataclass, field

import jwt
from servers import HOST
from wrk import IDEMPOTENCY_SCRIPT, PER_CONNECTION_SCRIPT

SEED_TASKS = 100


@dataclass(frozen=True)
class Scenario:
    """One request shape; ``{task}`` in the path is the seeded task's id on that server."""

    name: str
    method: str
    path: str
    expect: int
    bodies: list[str] = field(default_factory=list)
    authenticated: bool = True
    # The project-only variants (the reference has no such headers): the plain scenario they
    # are weighed against, and which header they add ("idempotency" or "if-match").
    variant_of: str | None = None
    header: str | None = None
    # One wrk thread per connection, each on its own seeded task ("{task}" is then that task).
    per_connection: bool = False


SCENARIOS = [
    # Touches neither the database nor the token: the old baseline, kept as a column.
    Scenario("health", "GET", "/api/health", 200, authenticated=False),
    Scenario("list 100", "GET", "/api/tasks?limit=100", 200),
    # The same 100 tasks (every seeded task carries "work" and two more tags), found by a tag.
    Scenario("tagged list", "GET", "/api/tasks?limit=100&tag=work", 200),
    Scenario("get one", "GET", "/api/tasks/{task}", 200),
    Scenario("create", "POST", "/api/tasks", 201, [json.dumps({"title": "Bench", "description": "x" * 200})]),
    # Each header variant right after its plain scenario, so the two see the same machine.
    Scenario(
        "create+idem",
        "POST",
        "/api/tasks",
        201,
        [json.dumps({"title": "Bench", "description": "x" * 200})],
        variant_of="create",
        header="idempotency",
    ),
    Scenario(
        "patch",
        "PATCH",
        "/api/tasks/{task}",
        200,
        [json.dumps({"completed": True}), json.dumps({"completed": False})],
        per_connection=True,
    ),
    Scenario(
        "patch+ifmatch",
        "PATCH",
        "/api/tasks/{task}",
        200,
        [json.dumps({"completed": True}), json.dumps({"completed": False})],
        variant_of="patch",
        header="if-match",
        per_connection=True,
    ),
]


def bench_token(shared_secret: str) -> str:
    """An HS256 token for a fresh user, valid for the run; both APIs verify it."""
    user = f"bench-{secrets.token_hex(4)}"
    claims = {"sub": user, "email": f"{user}@example.com", "name": "Bench", "exp": int(time.time()) + 3600}
    return jwt.encode(claims, shared_secret, algorithm="HS256")


def call(
    port: int,
    method: str,
    path: str,
    token: str | None,
    body: str | None = None,
    extra: dict[str, str] | None = None,
) -> tuple[int, bytes, dict[str, str]]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    headers = {"Host": HOST, **(extra or {})}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(), {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


def seed_body(number: int) -> str:
    """A task with 3 tags: "work" on every one (the tagged list's filter) and two that vary."""
    tags = ["work", f"area-{number % 5}", f"context-{number % 7}"]
    return json.dumps({"title": f"Task {number}", "tags": tags})


def seed(port: int, token: str, count: int = SEED_TASKS) -> list[int]:
    """``count`` tasks for the token's user; their ids, oldest first."""
    ids = []
    for number in range(count):
        status, data, _ = call(port, "POST", "/api/tasks", token, seed_body(number))
        if status != 201:
            raise SystemExit(f"Seeding failed on port {port}: {status} {data[:300]!r}")
        ids.append(json.loads(data)["id"])
    return ids


def read_etags(port: int, token: str, ids: list[int]) -> list[str]:
    """``"<path> <ETag>"`` per task."""
    targets = []
    for task_id in ids:
        path = f"/api/tasks/{task_id}"
        status, data, headers = call(port, "GET", path, token)
        if status != 200 or "etag" not in headers:
            raise SystemExit(f"GET {path} on port {port}: {status}, no ETag: {data[:300]!r}")
        targets.append(f"{path} {headers['etag']}")
    return targets


def current_etags(port: int, token: str, ids: list[int]) -> list[str]:
    """The ETags once they hold still: a stopped wrk leaves PATCHes in the server's queue
    that still commit afterwards, and an ETag read before them would start a 412."""
    targets = read_etags(port, token, ids)
    for _ in range(20):
        time.sleep(0.5)
        again = read_etags(port, token, ids)
        if again == targets:
            return targets
        targets = again
    raise SystemExit(f"The tasks' ETags on port {port} kept changing after the load stopped")


def check(port: int, scenario: Scenario, path: str, token: str) -> None:
    """One request by hand first: wrk only counts errors, it does not say which."""
    body = scenario.bodies[0] if scenario.bodies else None
    extra = {}
    if scenario.header == "idempotency":
        extra["Idempotency-Key"] = f"bench-check-{secrets.token_hex(8)}"
    elif scenario.header == "if-match":
        extra["If-Match"] = call(port, "GET", path, token)[2]["etag"]
    who = token if scenario.authenticated else None
    status, data, _ = call(port, scenario.method, path, who, body, extra)
    if status != scenario.expect:
        raise SystemExit(
            f"{scenario.name} on port {port}: {status}, expected {scenario.expect}: {data[:300]!r}"
        )


def wrk_options(scenario: Scenario, port: int, token: str, ids: list[int], connections: int) -> dict:
    """run_wrk's keywords for one run; the variants get their own script, read afresh."""
    options = dict(
        method=scenario.method,
        token=token if scenario.authenticated else None,
        bodies=scenario.bodies,
        connections=connections,
    )
    if scenario.header == "idempotency":
        # A prefix per run: the warm-up's keys are never met again, so nothing is a replay.
        prefix = f"bench-{secrets.token_hex(6)}"
        arguments = [scenario.method, token, prefix, *scenario.bodies]
        options.update(script=IDEMPOTENCY_SCRIPT, script_args=arguments)
    elif scenario.per_connection:
        # One wrk thread per connection, each on its own task: per-thread state is per-connection.
        if scenario.header == "if-match":
            mode, targets = "if-match", current_etags(port, token, ids[:connections])
        else:
            mode, targets = "plain", [f"/api/tasks/{task_id} -" for task_id in ids[:connections]]
        options.update(
            threads=connections,
            script=PER_CONNECTION_SCRIPT,
            script_args=[mode, scenario.method, token, *targets, "--", *scenario.bodies],
        )
    return options
