"""Slow clients against a running server on loopback (used by the suite and by ``make bench``).

``TrickleClients`` keeps connections open that send a request's headers one byte at a time
and never finish them (the way a slow or hostile client on a bad link does); a connection
the server closes is opened again at once, so the pressure lasts the whole window.
``probe_health`` meanwhile asks ``/api/health`` on fresh connections and times each answer.
"""

import http.client
import socket
import threading
import time

HOST = "127.0.0.1"
PARTIAL_REQUEST = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


class TrickleClients:
    """``connections`` sockets trickling header bytes every ``interval`` seconds until ``stop``."""

    def __init__(self, port: int, *, connections: int = 10, interval: float = 0.1):
        self.port, self.interval = port, interval
        self.stopping = threading.Event()
        self.bytes_sent = 0
        self.reconnects = 0
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._trickle, daemon=True) for _ in range(connections)]

    def __enter__(self) -> "TrickleClients":
        for thread in self._threads:
            thread.start()
        time.sleep(0.5)  # let every connection reach the server before measuring
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def _trickle(self) -> None:
        while not self.stopping.is_set():
            try:
                with socket.create_connection((HOST, self.port), timeout=5) as sock:
                    data = PARTIAL_REQUEST
                    while not self.stopping.is_set():
                        sock.sendall(data[:1])
                        data = data[1:] or b"a"
                        with self._lock:
                            self.bytes_sent += 1
                        self.stopping.wait(self.interval)
            except OSError:
                pass  # the server gave up on us (or refused us): come back, as a slow client would
            if not self.stopping.is_set():
                with self._lock:
                    self.reconnects += 1
                self.stopping.wait(self.interval)


def health_latency(port: int, *, timeout: float) -> float:
    """Seconds until ``/api/health`` answered 200 on a fresh connection; ``inf`` if it did not."""
    started = time.monotonic()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", "/api/health", headers={"Host": HOST})
        response = conn.getresponse()
        response.read()
        return time.monotonic() - started if response.status == 200 else float("inf")
    except OSError:
        return float("inf")
    finally:
        conn.close()


def probe_health(port: int, *, window: float, every: float = 0.25, timeout: float = 3.0) -> list[float]:
    """``health_latency`` again and again for ``window`` seconds."""
    latencies, deadline = [], time.monotonic() + window
    while time.monotonic() < deadline:
        latencies.append(health_latency(port, timeout=timeout))
        time.sleep(every)
    return latencies
