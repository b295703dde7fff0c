"""The scenarios both APIs are loaded with, and the data they need (a user with 100 tasks)."""

import http.client
import json
import secrets
import time
from dataclasses import dataclass, field

import jwt
from servers import HOST

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


SCENARIOS = [
    # Touches neither the database nor the token: the old baseline, kept as a column.
    Scenario("health", "GET", "/api/health", 200, authenticated=False),
    Scenario("list 100", "GET", "/api/tasks?limit=100", 200),
    Scenario("get one", "GET", "/api/tasks/{task}", 200),
    Scenario("create", "POST", "/api/tasks", 201, [json.dumps({"title": "Bench", "description": "x" * 200})]),
    Scenario(
        "patch",
        "PATCH",
        "/api/tasks/{task}",
        200,
        [json.dumps({"completed": True}), json.dumps({"completed": False})],
    ),
    # "tagged list" (the task-depth issue): a list filtered by one tag, on both APIs, e.g.
    # Scenario("tagged list", "GET", "/api/tasks?tag=work", 200), once both serve tags.
]


def bench_token(shared_secret: str) -> str:
    """An HS256 token for a fresh user, valid for the run; both APIs verify it."""
    user = f"bench-{secrets.token_hex(4)}"
    claims = {"sub": user, "email": f"{user}@example.com", "name": "Bench", "exp": int(time.time()) + 3600}
    return jwt.encode(claims, shared_secret, algorithm="HS256")


def call(port: int, method: str, path: str, token: str | None, body: str | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    headers = {"Host": HOST}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def seed(port: int, token: str) -> int:
    """``SEED_TASKS`` tasks for the token's user; the id of the last one."""
    for number in range(SEED_TASKS):
        status, data = call(port, "POST", "/api/tasks", token, json.dumps({"title": f"Task {number}"}))
        if status != 201:
            raise SystemExit(f"Seeding failed on port {port}: {status} {data[:300]!r}")
    return json.loads(data)["id"]


def check(port: int, scenario: Scenario, path: str, token: str) -> None:
    """One request by hand first: wrk only counts errors, it does not say which."""
    body = scenario.bodies[0] if scenario.bodies else None
    status, data = call(port, scenario.method, path, token if scenario.authenticated else None, body)
    if status != scenario.expect:
        raise SystemExit(
            f"{scenario.name} on port {port}: {status}, expected {scenario.expect}: {data[:300]!r}"
        )
