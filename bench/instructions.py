"""Instructions per update: civicbot on SQLite (`civicbot run --webhook`) counted by callgrind.

What is counted, and why
------------------------
Timings on a shared machine wander by tens of percent from run to run; the instructions a
process executes for the same work barely move. This benchmark runs the bot under
`valgrind --tool=callgrind` with instrumentation off, plays the load benchmark's simulated users
(bench/loadbench/users.py: the bench mix of lessons, quiz answers, claims, sending claims to
the editors, feedback and /progress; seed 1) through the webhook against the fake Bot API,
first --warm users to warm the bot up (imports, caches, the database's first pages), then
switches instrumentation on for the --measure users that follow, off again, and has callgrind
dump. It reports:

  instructions per update   every instruction of the bot process (all its threads: webhook,
                            engine, database, Bot API calls) while the measured users played,
                            divided by their updates; the chart-drawing helper process runs
                            outside valgrind and is not counted;
  updates                   updates the measured users sent;
  verdict                   the load benchmark's judge on the measured chats (errors, lost,
                            duplicated, out of order);
  calls, digest             every call the bot made in the measured chats (message ids left
                            out), counted and hashed: two versions with the same digest behaved
                            the same.

The bot's timer jobs are held off while it runs (bench/instructionsbench/quiet.py says why),
and it runs with PYTHONHASHSEED=0 so that sets and dicts iterate alike from run to run.
`--repo` counts another checkout (run from there, with this checkout's Python environment and
simulated users), so a change is measured before and after with one command each:

    .venv/bin/python bench/instructions.py [--repo PATH] [--warm 8] [--measure 10]
        [--interactions 20] [--connections 4] [--redis-db 11] [--keep] [--json FILE]

A run takes a few minutes: Python under callgrind starts in about a minute and runs about 50
times slower.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchkit.civicbot import wait_ready, webhook_env, write_config  # noqa: E402
from benchkit.fake import BenchFake  # noqa: E402
from benchkit.processes import BotProcess  # noqa: E402
from benchkit.webhook import Telegram  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402
from instructionsbench.callgrind import Callgrind, calls_in, valgrind_problem  # noqa: E402
from instructionsbench.quiet import quiet_jobs_env  # noqa: E402
from loadbench.judge import Verdict, judge  # noqa: E402
from loadbench.users import Simulation, SimUser, load_material, make_plans  # noqa: E402

from bot.testing.harness import free_port  # noqa: E402

READY_SECONDS = 900.0  # Python starting under callgrind: about a minute on a quiet machine


@dataclass
class Figures:
    repo: str
    instructions: int
    updates: int
    seconds: float
    verdict: dict[str, int]
    calls: int
    digest: str
    log: dict[str, int]
    exit_code: int

    @property
    def per_update(self) -> int:
        return round(self.instructions / self.updates) if self.updates else 0

    @property
    def clean(self) -> bool:
        wrong = ("errors", "undelivered", "lost", "duplicated", "order")
        return self.updates > 0 and not any(self.verdict[k] for k in wrong)

    def lines(self, args: argparse.Namespace) -> list[str]:
        v = self.verdict
        return [
            f"instructions per update: {self.per_update:,}",
            f"updates: {self.updates} ({args.measure} users x {args.interactions} interactions"
            f" after {args.warm} warm-up users), {self.seconds:.1f} s under callgrind",
            f"instructions: {self.instructions:,} in all",
            f"verdict: errors {v['errors']}, lost {v['lost']}, duplicated {v['duplicated']},"
            f" out of order {v['order']}, undelivered {v['undelivered']} (apologies"
            f" {v['apologies']}, stale {v['stale']}, send again {v['send_again']}, missing"
            f" buttons {v['missing_buttons']})",
            f"calls in the measured chats: {self.calls}, digest {self.digest}",
            f"bot log: {self.log['tracebacks']} tracebacks, {self.log['errors']} errors;"
            f" exit code {self.exit_code}",
            f"checkout: {self.repo}",
        ]

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "instructions_per_update": self.per_update, "clean": self.clean}


def _verdict(verdict: Verdict) -> dict[str, int]:
    return {
        "errors": verdict.errors,
        "undelivered": verdict.undelivered,
        "lost": verdict.lost,
        "duplicated": verdict.duplicated,
        "order": verdict.order,
        "apologies": verdict.apologies,
        "stale": verdict.stale,
        "send_again": verdict.send_again,
        "missing_buttons": verdict.missing_buttons,
    }


def _progress(began: float, what: str) -> None:
    print(f"{what} after {time.monotonic() - began:.0f} s", file=sys.stderr, flush=True)


async def _play(
    fake: BenchFake,
    telegram: Telegram,
    warm: list[SimUser],
    measured: list[SimUser],
    callgrind: Callgrind,
    pid: int,
    began: float,
) -> float:
    """Warm-up users, then the measured ones with instrumentation on; their wall seconds."""
    simulation = Simulation(fake, telegram, echo=False)
    try:
        await asyncio.gather(*(simulation.run_user(user) for user in warm))
        _progress(began, "warm-up done")
        callgrind.control(pid, "--instr=on")
        start = time.monotonic()
        await asyncio.gather(*(simulation.run_user(user) for user in measured))
        seconds = time.monotonic() - start
        callgrind.control(pid, "--instr=off")
        callgrind.control(pid, "--dump")
    finally:
        telegram.close()
    return seconds


def count(args: argparse.Namespace, repo: Path, home: Path) -> Figures:
    began = time.monotonic()
    material = load_material()
    plans = make_plans(material, args.warm + args.measure, args.interactions, args.seed)
    users = [SimUser(index, plan) for index, plan in enumerate(plans)]
    warm, measured = users[: args.warm], users[args.warm :]
    callgrind = Callgrind(home)
    with BenchFake() as fake:
        port = free_port()
        config = home / "civicbot.json"
        database = f"sqlite:///{home / 'civicbot.sqlite3'}"
        # A Redis database of its own: runs side by side do not clear each other's claims.
        redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
        write_config(config, fake, port, database, redis_url=redis_url)
        quiet = quiet_jobs_env(home)
        quiet["PYTHONPATH"] += os.pathsep + str(repo)
        env = webhook_env(home, Fernet.generate_key().decode(), PYTHONHASHSEED="0", **quiet)
        command = [sys.executable, "-m", "bot", "run", "--webhook", "--config", str(config)]
        under = callgrind.command(command)
        bot = BotProcess("civicbot", under, env, home / "bot.log", cwd=repo).launch()
        try:
            wait_ready(bot, port, READY_SECONDS)
            _progress(began, "bot ready")
            telegram = Telegram(port, args.connections)
            pid = bot.running.pid
            playing = _play(fake, telegram, warm, measured, callgrind, pid, began)
            seconds = asyncio.run(playing)
            verdict = judge(measured, fake, material, echo=False, upto=fake.chat_lengths())
            calls = calls_in(fake, [user.chat for user in measured])
            exit_code = bot.stop()
        finally:
            bot.abandon()
    (home / "calls.txt").write_text("\n".join(calls.lines) + "\n", encoding="utf-8")
    return Figures(
        repo=str(repo),
        instructions=callgrind.instructions(),
        updates=sum(len(user.outcomes) for user in measured),
        seconds=seconds,
        verdict=_verdict(verdict),
        calls=calls.count,
        digest=calls.digest,
        log=bot.log_summary(),
        exit_code=exit_code,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repo", type=Path, default=ROOT, help="the checkout to count")
    parser.add_argument("--warm", type=int, default=8, help="warm-up users, not counted")
    parser.add_argument("--measure", type=int, default=10, help="users counted")
    parser.add_argument("--interactions", type=int, default=20, help="updates per user")
    parser.add_argument("--connections", type=int, default=4, help="webhook connections")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--redis-db", type=int, default=11, help="Redis database for the bot")
    parser.add_argument("--keep", action="store_true", help="keep the temporary files")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    problem = valgrind_problem()
    if problem:
        print(f"instructions.py: {problem}", file=sys.stderr)
        return 2
    repo = args.repo.resolve()
    if not (repo / "bot" / "__main__.py").is_file():
        parser.error(f"{repo} is not a civicbot checkout (no bot/__main__.py)")
    home = Path(tempfile.mkdtemp(prefix="civicbot-instructions-"))
    try:
        figures = count(args, repo, home)
    finally:
        if args.keep:
            print(f"files kept in {home}", file=sys.stderr)
        else:
            shutil.rmtree(home, ignore_errors=True)
    print("\n".join(figures.lines(args)))
    if args.json:
        args.json.write_text(json.dumps(figures.to_json(), indent=2), encoding="utf-8")
    return 0 if figures.clean and figures.log["tracebacks"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
