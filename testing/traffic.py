"""Client threads that keep calling a running server and record every answer, for fault tests."""

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass
class Answer:
    """One request: what was asked, when, how long it took and what came back."""

    kind: str  # "create", "list" or "health"
    started: float  # time.monotonic()
    seconds: float
    status: int | None = None  # None: no answer at all (see error)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str = ""

    @property
    def api(self) -> bool:
        return self.kind != "health"

    def json(self):
        return json.loads(self.body)


class Traffic:
    """``with Traffic(server, token) as traffic:``; afterwards ``traffic.answers`` has them all.

    ``clients`` threads alternate creating and listing tasks; one more asks for
    ``/api/health`` every ``health_interval`` seconds.
    """

    def __init__(self, server, token: str, *, clients: int = 3, health_interval: float = 0.2):
        self.server, self.token = server, token
        self.clients, self.health_interval = clients, health_interval
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def __enter__(self):
        for number in range(self.clients):
            self._threads.append(threading.Thread(target=self._api_client, args=(number,), daemon=True))
        self._threads.append(threading.Thread(target=self._health_client, daemon=True))
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def _ask(self, kind: str, method: str, path: str, **kwargs) -> None:
        started = time.monotonic()
        answer = Answer(kind, started, 0.0)
        try:
            answer.status, answer.headers, answer.body = self.server.request(method, path, **kwargs)
        except OSError as error:  # refused, reset or timed out: no HTTP answer
            answer.error = f"{type(error).__name__}: {error}"
        answer.seconds = time.monotonic() - started
        with self._lock:
            self.answers.append(answer)

    def _api_client(self, number: int) -> None:
        sent = 0
        while not self._stop.is_set():
            sent += 1
            if sent % 2:
                body = {"title": f"client {number} task {sent}"}
                self._ask("create", "POST", "/api/tasks", token=self.token, body=body)
            else:
                self._ask("list", "GET", "/api/tasks", token=self.token)

    def _health_client(self) -> None:
        while not self._stop.is_set():
            self._ask("health", "GET", "/api/health")
            self._stop.wait(self.health_interval)

    def answered_within(self, start: float, end: float) -> list[Answer]:
        """The API answers to requests sent after ``start`` and answered before ``end``."""
        return [a for a in self.between(start, end) if a.started + a.seconds < end]

    def between(self, start: float, end: float, *, api: bool = True) -> list[Answer]:
        """The answers to requests sent in ``[start, end)``."""
        return [a for a in self.answers if start <= a.started < end and a.api == api]
