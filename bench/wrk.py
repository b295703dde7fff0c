"""Load from wrk: a bounded run per scenario, parsed from the Lua script's summary line."""

import json
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from servers import HOST

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "wrk.lua"
IDEMPOTENCY_SCRIPT = HERE / "wrk_idempotency.lua"
PER_CONNECTION_SCRIPT = HERE / "wrk_per_connection.lua"
INSTALL_HINT = (
    "make bench needs wrk: install it (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk)"
)


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx answers, and connect/read/write errors or timeouts
    # Answers other than the expected status, by status, where the script reports them.
    failed_statuses: dict[str, int] = field(default_factory=dict)


def median_load(loads: list[Load]) -> Load:
    """The run with the median req/s (the lower middle of an even number), every run's errors."""
    middle = sorted(loads, key=lambda load: load.rps)[(len(loads) - 1) // 2]
    failed = Counter()
    for load in loads:
        failed.update(load.failed_statuses)
    return Load(
        rps=middle.rps,
        p50_ms=middle.p50_ms,
        p99_ms=middle.p99_ms,
        requests=middle.requests,
        errors=sum(load.errors for load in loads),
        failed_statuses=dict(failed),
    )


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit(INSTALL_HINT)
    return path


def run_wrk(
    port: int,
    path: str,
    *,
    method: str,
    token: str | None,
    bodies: list[str],
    seconds: float,
    connections: int,
    threads: int = 2,
    script: Path = SCRIPT,
    script_args: list[str] | None = None,
) -> Load:
    """``script_args`` replace wrk.lua's (method, token, bodies) for the other scripts."""
    duration = f"{max(1, round(seconds))}s"
    arguments = script_args if script_args is not None else [method, token or "-", *bodies]
    command = [
        require_wrk(),
        *f"--threads {threads} --connections {connections} --duration {duration} --timeout 5s".split(),
        *["--script", str(script), f"http://{HOST}:{port}{path}", "--", *arguments],
    ]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    line = next((line for line in output.splitlines() if line.startswith("WRK_RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{output}")
    result = json.loads(line.removeprefix("WRK_RESULT "))
    failed = next((line for line in output.splitlines() if line.startswith("WRK_FAILED_STATUSES")), "")
    return Load(
        rps=result["requests"] / (result["duration_us"] / 1e6),
        p50_ms=result["p50_us"] / 1000,
        p99_ms=result["p99_us"] / 1000,
        requests=result["requests"],
        errors=result["status_errors"] + result["socket_errors"],
        failed_statuses=dict(Counter(failed.split()[1:])),
    )
