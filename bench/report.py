"""The bench's printed tables."""

from wrk import Load


def print_loads(
    title: str,
    names: list[str],
    project: dict[str, Load],
    reference: dict[str, Load],
    ratios: dict[str, float],
) -> None:
    """req/s, project/reference (``ratios``, by scenario), p50/p99 of both APIs."""
    print(f"\n{title}\n")
    print(
        f"{'scenario':13} {'project':>8} {'reference':>9} {'ratio':>6}  {'vs health':>9}  "
        f"{'p50/p99 ms project':>19}  {'p50/p99 ms reference':>21}  errors"
    )
    health = project.get("health")
    for name in names:
        mine, theirs = project[name], reference.get(name)
        ratio = f"{ratios[name]:6.2f}" if name in ratios else f"{'-':>6}"
        versus = f"{mine.rps / health.rps:9.2f}" if health else f"{'-':>9}"
        their_rps = f"{theirs.rps:9.0f}" if theirs else f"{'-':>9}"
        their_latency = f"{theirs.p50_ms:8.1f} / {theirs.p99_ms:7.1f}" if theirs else f"{'-':>21}"
        errors = mine.errors + (theirs.errors if theirs else 0)
        print(
            f"{name:13} {mine.rps:8.0f} {their_rps} {ratio}  {versus}  "
            f"{mine.p50_ms:8.1f} / {mine.p99_ms:7.1f}  {their_latency:>21}  {errors or ''}"
        )


def print_rss(label: str, rss: list[float]) -> None:
    shown = ", ".join(f"{value:.0f}" for value in sorted(rss)) or "none found"
    print(f"RSS per worker, {label}: {shown} MB")


def print_slow_clients(latencies: list[float], reconnects: int, limit: float) -> bool:
    answered = [value for value in latencies if value != float("inf")]
    late = [value for value in latencies if value > limit]
    worst = max(latencies) if latencies else float("inf")
    print(
        f"\nSlow clients: {len(latencies)} health probes, {len(answered)} answered, "
        f"{len(late)} later than {limit:.0f} s (worst {worst:.2f} s); "
        f"the trickling connections were closed by the server {reconnects} times"
    )
    return not late and bool(latencies)


def print_costs(
    title: str,
    pairs: list[tuple[str, str]],
    project: dict[str, Load],
    costs: dict[tuple[str, str], float],
    budget: float,
) -> None:
    """Each variant beside its plain scenario from the same run, with its cost (plain/variant,
    by pair); over budget is flagged."""
    print(f"\n{title} (project only; plain/variant, budget {budget:g}x)\n")
    print(f"{'variant':13} {'req/s':>7}  {'plain':13} {'req/s':>7}  {'cost':>5}  {'p50/p99 ms':>16}  errors")
    for plain, variant in pairs:
        mine, base = project[variant], project[plain]
        cost = costs[(plain, variant)]
        flag = "  OVER BUDGET" if cost > budget else ""
        print(
            f"{variant:13} {mine.rps:7.0f}  {plain:13} {base.rps:7.0f}  {cost:5.2f}  "
            f"{mine.p50_ms:6.1f} / {mine.p99_ms:6.1f}  {mine.errors or ''}{flag}"
        )
        if mine.failed_statuses:
            print(f"  {variant} answers that were not a success, by status: {mine.failed_statuses}")


def print_observed(
    names: list[str],
    plain: dict[str, Load],
    observed: dict[str, Load],
    costs: dict[str, float],
    budget: float,
) -> None:
    """The project as benchmarked beside the same project with its request log (JSON lines)
    and metrics on, scenario by scenario, with the cost (plain/observed); over budget is
    flagged."""
    print(f"\nCost of the request log and metrics (plain/observed, budget {budget:g}x)\n")
    print(f"{'scenario':13} {'plain':>7}  {'observed':>8}  {'cost':>5}  {'p50/p99 ms observed':>19}  errors")
    for name in names:
        mine, base = observed[name], plain[name]
        flag = "  OVER BUDGET" if costs[name] > budget else ""
        print(
            f"{name:13} {base.rps:7.0f}  {mine.rps:8.0f}  {costs[name]:5.2f}  "
            f"{mine.p50_ms:8.1f} / {mine.p99_ms:7.1f}  {mine.errors or ''}{flag}"
        )
