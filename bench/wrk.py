"""Load from wrk: a bounded run per scenario, parsed from the Lua script's summary line."""

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from servers import HOST

SCRIPT = Path(__file__).resolve().parent / "wrk.lua"
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
) -> Load:
    duration = f"{max(1, round(seconds))}s"
    command = [
        require_wrk(),
        *f"--threads {threads} --connections {connections} --duration {duration} --timeout 5s".split(),
        *["--script", str(SCRIPT), f"http://{HOST}:{port}{path}", "--", method, token or "-", *bodies],
    ]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    line = next((line for line in output.splitlines() if line.startswith("WRK_RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{output}")
    result = json.loads(line.removeprefix("WRK_RESULT "))
    return Load(
        rps=result["requests"] / (result["duration_us"] / 1e6),
        p50_ms=result["p50_us"] / 1000,
        p99_ms=result["p99_us"] / 1000,
        requests=result["requests"],
        errors=result["status_errors"] + result["socket_errors"],
    )
