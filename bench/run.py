"""Load test of the API against the FastAPI + SQLModel reference, in the same run.

Starts the project with production settings under the chosen HTTP server (2 workers) and
the reference under uvicorn (2 workers) on free 127.0.0.1 ports, over the same database (a
throw-away SQLite file, or ``DATABASE_URL``; the reference keeps its own tables), seeds a
user with 100 tasks on each, then loads every scenario with wrk (32 connections, a bounded
time each) on both and prints req/s, project/reference, p50/p99 and RSS per worker.
``--slow-clients`` then checks that ``/api/health`` keeps answering while 10 connections
trickle their headers.

    make bench
    .venv/bin/python bench/run.py --server gunicorn-sync --seconds 10 --no-reference
"""

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from reference_env import start_reference
from report import print_costs, print_loads, print_observed, print_rss, print_slow_clients
from rounds import Tokens, load_all, ratio_of, selected
from scenarios import SCENARIOS, SEED_TASKS, bench_token, seed
from servers import (
    ROOT,
    SERVER_KINDS,
    WORKERS,
    Server,
    free_port,
    project_command,
    project_environment,
    server_environment,
)
from servers import reference_database_url as reference_url
from wrk import median_load, require_wrk

sys.path.insert(0, str(ROOT))
from todo_project.tests.slow_clients import TrickleClients, probe_health

HEADER_BUDGET = 1.3  # plain/variant: what Idempotency-Key or If-Match may cost (flagged, not failed)
OBSERVED_BUDGET = 1.05  # plain/observed: what the request log and metrics may cost
TAG_BUDGET = 1.5  # list 100 / tagged list: what filtering the same 100 tasks by a tag may cost
DEFAULT_SERVER = "granian"  # the production server: README, "Benchmarks" and "Deploying"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--server", choices=SERVER_KINDS, default=DEFAULT_SERVER, help="the project's server")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="request threads per worker (GRANIAN_BLOCKING_THREADS; default 1, for a database on "
        "this machine: see the README's Deploying)",
    )
    parser.add_argument("--seconds", type=float, default=6, help="load per scenario and API (default 6)")
    parser.add_argument("--warmup", type=float, default=1, help="unmeasured load first (default 1)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument(
        "--observed",
        action="store_true",
        help="also load a second project server with its request log (JSON, INFO) and metrics on",
    )
    parser.add_argument("--no-reference", action="store_true", help="load the project only")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run every scenario this many times, interleaved, and report the median (default 1)",
    )
    parser.add_argument(
        "--only",
        metavar="NAMES",
        help='comma-separated scenarios to run, e.g. "create,create+idem" (default: all)',
    )
    parser.add_argument(
        "--slow-clients", type=float, default=0, metavar="SECONDS", help="then run the slow-client check"
    )
    parser.add_argument(
        "--min-ratio", type=float, default=0.0, help="fail when project/reference is below this anywhere"
    )
    args = parser.parse_args()
    if not (1 <= args.seconds <= 60 and 0 <= args.warmup <= 10 and 1 <= args.connections <= 256):
        parser.error("need 1 <= --seconds <= 60, 0 <= --warmup <= 10, 1 <= --connections <= 256")
    if not 1 <= args.threads <= 32:
        parser.error("need 1 <= --threads <= 32")
    if not 1 <= args.rounds <= 9:
        parser.error("need 1 <= --rounds <= 9")
    if not 0 <= args.slow_clients <= 120:
        parser.error("need 0 <= --slow-clients <= 120")
    known = {scenario.name for scenario in SCENARIOS}
    args.scenarios = [name.strip() for name in args.only.split(",")] if args.only else sorted(known)
    if unknown := set(args.scenarios) - known:
        parser.error(f"unknown scenarios {sorted(unknown)}; known: {sorted(known)}")
    return args


def observed_environment(env: dict[str, str], workdir: Path) -> dict[str, str]:
    """The project as a production deployment watches it: a JSON line per request (INFO) and
    Prometheus metrics across the workers (a scraper's token; not scraped during the load)."""
    metrics = workdir / "metrics"
    metrics.mkdir()
    return {
        **env,
        "DJANGO_LOG_LEVEL": "INFO",
        "DJANGO_LOG_FORMAT": "json",
        "METRICS_TOKEN": secrets.token_urlsafe(32),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics),
    }


def main() -> int:
    args = parse_args()
    require_wrk()
    shared_secret = secrets.token_urlsafe(48)
    tokens = Tokens(reader=bench_token(shared_secret), writer=bench_token(shared_secret))
    servers: list[Server] = []
    slow_ok = True
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        workdir = Path(folder)
        env = project_environment(workdir, shared_secret)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        try:
            port = free_port()
            command = project_command(args.server, port, WORKERS, args.threads)
            server_env = server_environment(env, port, WORKERS, args.threads)
            project = Server(args.server, port, command, server_env, ROOT, workdir / "p.log")
            servers.append(project)
            if not args.no_reference:
                servers.append(start_reference(env, reference_url(env), free_port(), workdir / "r.log"))
            if args.observed:
                observed_port = free_port()
                observed_env = observed_environment(
                    server_environment(env, observed_port, WORKERS, args.threads), workdir
                )
                observed_command = project_command(args.server, observed_port, WORKERS, args.threads)
                servers.append(
                    Server("observed", observed_port, observed_command, observed_env, ROOT, workdir / "o.log")
                )
            for server in servers:
                server.wait_until_up()
            count = max(SEED_TASKS, args.connections)  # the If-Match run: one task per connection
            targets = {"project": (project.port, seed(project.port, tokens.reader, count))}
            if not args.no_reference:
                targets["reference"] = (servers[1].port, seed(servers[1].port, tokens.reader, count))
            if args.observed:
                # The same database and so the same seeded tasks: seeding again would double them.
                targets["observed"] = (servers[-1].port, targets["project"][1])
            runs = load_all(args, targets, tokens)
            rss = {server.name: server.worker_rss_mb() for server in servers}
            if args.slow_clients:
                with TrickleClients(project.port, connections=10) as clients:
                    latencies = probe_health(project.port, window=args.slow_clients)
                slow_ok = print_slow_clients(latencies, clients.reconnects, limit=1.0)
        finally:
            for server in servers:
                server.stop()

    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    results = {
        label: {name: median_load(loads) for name, loads in by_name.items()}
        for label, by_name in runs.items()
    }
    mine, theirs = runs["project"], runs.get("reference", {})
    versus = {name: ratio_of(mine[name], loads) for name, loads in theirs.items()}
    rounds = f"; the median of {args.rounds} rounds (ratios: the median of the rounds' ratios)"
    print_loads(
        f"{database}; project on {args.server} ({args.threads} thread(s) per worker), reference on "
        f"uvicorn, {WORKERS} workers each; "
        f"wrk, {args.connections} connections, {args.seconds:g} s per scenario"
        f"{rounds if args.rounds > 1 else ''}",
        [scenario.name for scenario in selected(args.scenarios)],
        results["project"],
        results.get("reference", {}),
        versus,
    )
    pairs = [
        (scenario.variant_of, scenario.name) for scenario in selected(args.scenarios) if scenario.variant_of
    ]
    costs = {(plain, variant): ratio_of(mine[plain], mine[variant]) for plain, variant in pairs}
    print_costs("Cost of the headers", pairs, results["project"], costs, budget=HEADER_BUDGET)
    if "tagged list" in mine:
        tag_pair = ("list 100", "tagged list")
        tag_cost = {tag_pair: ratio_of(mine["list 100"], mine["tagged list"])}
        print_costs("Cost of the tag filter", [tag_pair], results["project"], tag_cost, budget=TAG_BUDGET)
    if args.observed:
        names = [name for name in mine if name in runs["observed"]]
        observed_costs = {name: ratio_of(mine[name], runs["observed"][name]) for name in names}
        print_observed(names, results["project"], results["observed"], observed_costs, OBSERVED_BUDGET)
    for name, values in rss.items():
        print_rss(name, values)
    failed = any(load.errors for loads in results.values() for load in loads.values())
    if failed:
        print("\nSome requests failed (see the errors column).")
    worst = min(versus.values(), default=None)
    if worst is not None and worst < args.min_ratio:
        print(f"\nA scenario fell below --min-ratio {args.min_ratio}.")
        failed = True
    return 1 if failed or not slow_ok else 0


if __name__ == "__main__":
    sys.exit(main())
