"""The load benchmark's printed report and its verdicts on the issue's targets."""

from __future__ import annotations

import argparse

from benchkit.processes import CORES

from loadbench.judge import COUNTED_TABLES
from loadbench.setups import SetupResult


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}x" if base and base == base and value == value else "-"


def report(
    results: list[SetupResult], ceiling: dict[str, float], args: argparse.Namespace
) -> list[str]:
    lines = [
        f"civicbot load benchmark: {args.users} users x {args.interactions} interactions per "
        f"setup, {args.connections} webhook connections, seed {args.seed}, {CORES} CPU cores "
        "shared by everything (bots, PostgreSQL, the fake Bot API and the simulated users)",
        "every setup by webhook, answered 200 after the update is handled; outgoing request "
        "limiters off in every bot (civicbot telegram.overall_per_second: 0; the echo bot has "
        "none); limits.burst raised to 100000 (simulated users are faster than people)",
    ]
    if ceiling:
        lines.append(
            "fake Bot API ceiling (sendMessage hammered from another process, 16 connections): "
            + ", ".join(f"{kind} {rate:,.0f} calls/s" for kind, rate in ceiling.items())
        )
    echo = next((r for r in results if r.spec.echo), None)
    header = (
        f"{'setup':<38}{'updates':>8}{'upd/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'errors':>7}"
        f"{'lost':>6}{'dup':>5}{'order':>6}   vs echo: upd/s   p50   p95"
    )
    lines += ["", header, "-" * len(header)]
    for r in results:
        v = r.verdict
        ratios = ""
        if echo is not None and not r.spec.echo:
            p50, p95 = r.percentile(0.5), r.percentile(0.95)
            ratios = (
                f"{_ratio(r.rate, echo.rate):>16}{_ratio(p50, echo.percentile(0.5)):>7}"
                f"{_ratio(p95, echo.percentile(0.95)):>7}"
            )
        lines.append(
            f"({r.spec.key}) {r.spec.label:<34}{r.updates:>8}{r.rate:>8.1f}"
            f"{r.percentile(0.5):>8.0f}{r.percentile(0.95):>8.0f}{v.errors:>7}{v.lost:>6}"
            f"{r.duplicated:>5}{v.order:>6}{ratios}"
        )
    lines += [
        "",
        "CPU per update, ms (bench = fake Bot API + simulated users; bot = all its processes;"
        " rest = kernel and other people's work), and how busy the machine was:",
    ]
    for r in results:
        per = {name: 1000 * used / max(1, r.updates) for name, used in r.cpu.items()}
        lines.append(
            f"  ({r.spec.key}) bench {per['bench']:6.2f}  bot {per['bot']:6.2f}  postgres "
            f"{per['postgres']:6.2f}  rest {per['rest']:6.2f}  Bot API calls per update "
            f"{r.api_calls / max(1, r.updates):.2f}  machine busy {r.busy:4.0%} "
            f"({r.seconds:.1f} s; before the bot started, with nothing of ours running: "
            f"{r.background:.0%})"
        )
    profiled = [r for r in results if r.profile is not None]
    if profiled:
        lines += ["", "where the bots' CPU goes (the timed run only; --profile):"]
        for r in profiled:
            assert r.profile is not None
            lines += [
                f"  ({r.spec.key}) {r.spec.label}",
                *r.profile.lines(r.updates, r.cpu.get("bot", 0.0)),
            ]
    lines += ["", "errors in detail:"]
    for r in results:
        v = r.verdict
        lines.append(
            f"  ({r.spec.key}) webhook failures {v.webhook_failures} (never delivered "
            f"{v.undelivered}), calls refused by the fake {v.refused}, apologies {v.apologies}, "
            f"stale-button replies {v.stale}, 'send the claim again' replies {v.send_again}, "
            f"unexpected replies {v.unexpected}, planned "
            f"buttons missing {v.missing_buttons}; late replies {v.late}, tags backwards "
            f"{v.tag_backwards}; bot log: {r.log.get('errors', 0)} errors, "
            f"{r.log.get('warnings', 0)} warnings, {r.log.get('tracebacks', 0)} tracebacks; "
            f"exit code {r.exit_code}"
        )
    database = [r for r in results if r.expected is not None]
    if database:
        lines += ["", "database rows (database/expected from what the simulated users did):"]
        for r in database:
            assert r.expected is not None and r.actual is not None
            cells = [
                f"{table} {r.actual[table]}/{r.expected[table]}"
                + ("" if r.actual[table] == r.expected[table] else " MISMATCH")
                for table in COUNTED_TABLES
            ]
            lines.append(f"  ({r.spec.key}) " + ", ".join(cells))
        lines += ["", "re-delivery (handled updates sent again, twice each, at once):"]
        for r in database:
            lines.append(
                f"  ({r.spec.key}) {r.redelivered} updates: {r.redelivery_replies} messages sent "
                f"again, {r.redelivery_refused} calls refused by the fake, database "
                + ("changed" if r.redelivery_db_changed else "unchanged")
            )
    lines += ["", *verdicts(results)]
    return lines


def verdicts(results: list[SetupResult]) -> list[str]:
    """The issue's "Done when" lines this benchmark can judge."""
    by = {r.spec.key: r for r in results}
    out = []
    two = by.get("d")
    if two is not None:
        ok = not (two.verdict.lost or two.duplicated or two.verdict.order) and two.database_ok
        out.append(
            f"two PostgreSQL workers: lost {two.verdict.lost}, duplicated {two.duplicated}, "
            f"order violations {two.verdict.order}, database exact: {two.database_ok} -> "
            + ("MET" if ok else "NOT MET")
        )
    if "a" in by and "b" in by:
        ratio = by["b"].rate / by["a"].rate if by["a"].rate else 0.0
        out.append(
            f"SQLite, one process: {ratio:.2f}x the echo bot's updates/s (target >= 0.5x) -> "
            + ("MET" if ratio >= 0.5 else "NOT MET")
        )
    if "c" in by and "d" in by:
        gain = by["d"].rate / by["c"].rate if by["c"].rate else 0.0
        out.append(
            f"two PostgreSQL workers vs one: {gain:.2f}x the updates/s -> "
            + ("MET" if gain > 1.0 else "NOT MET")
        )
    return out


def correct(result: SetupResult) -> bool:
    v = result.verdict
    return (
        not (v.lost or result.duplicated or v.order or v.undelivered)
        and result.database_ok is not False
    )
