"""One setup of the load benchmark: start the bot, run every user's plan, re-deliver a sample,
and judge what happened.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchkit.civicbot import postgres_database, start_civicbot, wait_ready, write_config
from benchkit.fake import BenchFake
from benchkit.processes import CORES
from benchkit.webhook import Telegram

from bot.testing.harness import free_port
from loadbench.cpu import CpuMeter, background_load
from loadbench.echo import start_echo
from loadbench.judge import Expected, Verdict, database_counts, judge
from loadbench.profiler import Profile, profile_env, signal_profiled
from loadbench.users import Material, Simulation, SimUser, Step

QUIET_SECONDS = 1.0  # after the run, how long to wait for late replies


@dataclass(frozen=True)
class SetupSpec:
    key: str
    label: str
    database: str  # "" for the echo bot
    workers: int

    @property
    def echo(self) -> bool:
        return not self.database


SETUPS = (
    SetupSpec("a", "echo bot (python-telegram-bot)", "", 1),
    SetupSpec("b", "civicbot, SQLite, 1 process", "sqlite", 1),
    SetupSpec("c", "civicbot, PostgreSQL, 1 worker", "postgresql", 1),
    SetupSpec("d", "civicbot, PostgreSQL, 2 workers", "postgresql", 2),
)


@dataclass
class SetupResult:
    spec: SetupSpec
    updates: int
    seconds: float
    verdict: Verdict
    cpu: dict[str, float]
    expected: dict[str, int] | None = None
    actual: dict[str, int] | None = None
    redelivered: int = 0
    redelivery_replies: int = 0
    redelivery_refused: int = 0
    redelivery_db_changed: bool = False
    exit_code: int = 0
    log: dict[str, int] = field(default_factory=dict)
    profile: Profile | None = None
    background: float = 0.0
    api_calls: int = 0

    @property
    def busy(self) -> float:
        """The share of the machine's CPU in use during the run, all processes together."""
        return sum(self.cpu.values()) / max(1e-9, self.seconds) / CORES

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        values = sorted(self.verdict.latencies)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, round(q * (len(values) - 1)))] * 1000

    @property
    def duplicated(self) -> int:
        return self.verdict.duplicated + self.redelivery_replies

    @property
    def database_ok(self) -> bool | None:
        if self.expected is None or self.actual is None:
            return None
        return self.expected == self.actual and not self.redelivery_db_changed

    def to_json(self) -> dict[str, Any]:
        v = self.verdict
        return {
            "setup": self.spec.key,
            "label": self.spec.label,
            "updates": self.updates,
            "seconds": round(self.seconds, 3),
            "updates_per_s": round(self.rate, 1),
            "p50_ms": round(self.percentile(0.5), 1),
            "p95_ms": round(self.percentile(0.95), 1),
            "errors": v.errors,
            "error_kinds": {
                "webhook_failures": v.webhook_failures,
                "undelivered": v.undelivered,
                "refused_calls": v.refused,
                "apologies": v.apologies,
                "stale_replies": v.stale,
                "send_again_replies": v.send_again,
                "unexpected_replies": v.unexpected,
                "missing_buttons": v.missing_buttons,
            },
            "lost": v.lost,
            "duplicated": self.duplicated,
            "duplicated_in_run": v.duplicated,
            "order_violations": v.order,
            "late_replies": v.late,
            "tag_backwards": v.tag_backwards,
            "cpu_ms_per_update": {
                name: round(1000 * used / max(1, self.updates), 2)
                for name, used in self.cpu.items()
            },
            "machine_busy": round(self.busy, 3),
            "bot_api_calls_per_update": round(self.api_calls / max(1, self.updates), 2),
            "background_busy": round(self.background, 3),
            "expected": self.expected,
            "database": self.actual,
            "database_ok": self.database_ok,
            "redelivered": self.redelivered,
            "redelivery_replies": self.redelivery_replies,
            "redelivery_refused_calls": self.redelivery_refused,
            "redelivery_db_changed": self.redelivery_db_changed,
            "exit_code": self.exit_code,
            "log": self.log,
        }


@dataclass
class Redelivery:
    updates: int = 0
    replies: int = 0
    refused: int = 0


async def _drive(
    fake: BenchFake,
    port: int,
    users: list[SimUser],
    spec: SetupSpec,
    connections: int,
    bot_pid: int,
    count: Callable[[], dict[str, int]] | None,
    seed: int,
    profile: Path | None,
) -> tuple[float, dict[str, float], dict[int, int], Redelivery, list[dict[str, int]]]:
    telegram = Telegram(port, connections)
    simulation = Simulation(fake, telegram, echo=spec.echo)
    if profile is not None:
        signal_profiled(profile, signal.SIGUSR1)
    with CpuMeter(bot_pid) as meter:
        start = time.monotonic()
        await asyncio.gather(*(simulation.run_user(user) for user in users))
        seconds = time.monotonic() - start
    if profile is not None:
        signal_profiled(profile, signal.SIGUSR2)
    await asyncio.sleep(QUIET_SECONDS)
    upto = fake.chat_lengths()
    snapshots = [count()] if count else []
    redelivery = Redelivery()
    if count is not None:
        # Telegram re-sends an update whose 200 it missed, possibly to another worker while the
        # first still works on it: re-send a sample of handled updates, twice each, at once.
        updates = [outcome.update for user in users for outcome in user.outcomes]
        sample = random.Random(seed).sample(
            updates, k=min(len(updates), max(20, len(updates) // 50))
        )
        redelivery.updates = len(sample)
        await asyncio.gather(*(telegram.deliver(u) for u in sample for _ in range(2)))
        await asyncio.sleep(QUIET_SECONDS)
        for chat in fake.chat_lengths():
            for seen in fake.chat_calls(chat, upto.get(chat, 0)):
                redelivery.replies += seen.message is not None
                redelivery.refused += not seen.ok
        snapshots.append(count())
    telegram.close()
    return seconds, meter.used, upto, redelivery, snapshots


def run_setup(
    spec: SetupSpec,
    plans: list[list[Step]],
    material: Material,
    args: argparse.Namespace,
    work: Path,
) -> SetupResult:
    from cryptography.fernet import Fernet

    home = work / spec.key
    home.mkdir()
    background = background_load()
    with contextlib.ExitStack() as stack:
        fake = stack.enter_context(BenchFake())
        port = free_port()
        url: str | None = None
        profile = home / "profile" if args.profile else None
        if spec.echo:
            bot = start_echo(fake, port, home, profile_env(profile))
        else:
            if spec.database == "sqlite":
                url = f"sqlite:///{home / 'civicbot.sqlite3'}"
            else:
                url = stack.enter_context(postgres_database())
            config = home / "civicbot.json"
            write_config(config, fake, port, url)
            key = Fernet.generate_key().decode()
            more_env = profile_env(profile)
            bot = start_civicbot(spec.key, config, home, spec.workers, key, more_env)
        users = [SimUser(index, plan) for index, plan in enumerate(plans)]
        try:
            wait_ready(bot, port)
            count = (lambda: database_counts(url)) if url else None
            seconds, cpu, upto, redelivery, snapshots = asyncio.run(
                _drive(
                    fake,
                    port,
                    users,
                    spec,
                    args.connections,
                    bot.running.pid,
                    count,
                    args.seed,
                    profile,
                )
            )
        finally:
            exit_code = bot.stop()
        verdict = judge(users, fake, material, echo=spec.echo, upto=upto)
        result = SetupResult(
            spec,
            sum(len(user.outcomes) for user in users),
            seconds,
            verdict,
            cpu,
            exit_code=exit_code,
            log=bot.log_summary(),
            profile=Profile.read(profile) if profile else None,
            background=background,
            api_calls=sum(upto.get(user.chat, 0) for user in users),
        )
        if snapshots:
            result.expected = Expected.of(users).counts
            result.actual = snapshots[0]
            result.redelivery_db_changed = snapshots[-1] != snapshots[0]
            result.redelivered = redelivery.updates
            result.redelivery_replies = redelivery.replies
            result.redelivery_refused = redelivery.refused
        return result
