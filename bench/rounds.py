"""The load itself: every selected scenario on each API in turn, for a number of rounds."""

import statistics
from dataclasses import dataclass

from scenarios import SCENARIOS, Scenario, check, wrk_options
from wrk import Load, run_wrk

Runs = dict[str, dict[str, list[Load]]]  # API → scenario → one Load per round


@dataclass(frozen=True)
class Tokens:
    """The seeded user's token (lists, gets, patches) and the creates' own user's."""

    reader: str
    writer: str


def selected(names: list[str]) -> list[Scenario]:
    """The scenarios named, in their order; a variant brings its plain scenario along, and
    the tagged list the plain one."""
    wanted = set(names)
    wanted |= {
        scenario.variant_of for scenario in SCENARIOS if scenario.name in wanted and scenario.variant_of
    }
    if "tagged list" in wanted:
        wanted.add("list 100")
    return [scenario for scenario in SCENARIOS if scenario.name in wanted]


def load_all(args, targets: dict[str, tuple[int, list[int]]], tokens: Tokens) -> Runs:
    """Scenario by scenario, each API in turn, so both see the same machine state; with
    ``--rounds``, the whole sequence again."""
    runs: Runs = {label: {} for label in targets}
    for round_number in range(args.rounds):
        if args.rounds > 1:
            print(f"Round {round_number + 1} of {args.rounds}", flush=True)
        for label, loads in load_round(args, targets, tokens).items():
            for name, load in loads.items():
                runs[label].setdefault(name, []).append(load)
    return runs


def ratio_of(first: list[Load], second: list[Load]) -> float:
    """The median over the rounds of first/second req/s. The two of a round ran a few seconds
    apart, so on a machine whose speed drifts a round's ratio is steadier than the ratio of
    the two medians."""
    return statistics.median(
        a.rps / b.rps if b.rps else float("inf") for a, b in zip(first, second, strict=True)
    )


def load_round(args, targets: dict[str, tuple[int, list[int]]], tokens: Tokens) -> dict[str, dict[str, Load]]:
    results: dict[str, dict[str, Load]] = {label: {} for label in targets}
    for scenario in selected(args.scenarios):
        for label, (port, ids) in targets.items():
            if scenario.header and label == "reference":
                continue  # the reference has no Idempotency-Key or If-Match
            path = scenario.path.format(task=ids[-1])
            # The creates go to a user of their own, so the seeded user keeps exactly its
            # tasks: the lists of every round read the same 100 tagged tasks.
            token = tokens.writer if scenario.method == "POST" else tokens.reader
            check(port, scenario, path, token)
            options = wrk_options(scenario, port, token, ids, args.connections)
            if args.warmup:
                run_wrk(port, path, seconds=args.warmup, **options)
                options = wrk_options(scenario, port, token, ids, args.connections)  # fresh ETags
            results[label][scenario.name] = run_wrk(port, path, seconds=args.seconds, **options)
            print(
                f"  {scenario.name:13} {label:9} {results[label][scenario.name].rps:8.0f} req/s", flush=True
            )
    return results
