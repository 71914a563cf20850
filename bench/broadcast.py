"""Broadcast benchmark: 5,000 subscribers, two workers, one killed midway.

What is measured, and why
-------------------------
Issue 8 wants an announcement to every subscriber sent within the configured rate
(limits.outgoing_per_second, shared by all workers through the database), surviving a worker
restart midway without sending anyone the message twice. This plays it end to end:

1. `civicbot run --webhook --workers 2` on a private PostgreSQL schema, replies going to the
   fake Bot API of the test suite (bot/testing/fakebotapi) on loopback. The per-process request
   limiter is off (telegram.overall_per_second 0), so the only thing holding the pace is the
   shared outbox rate under test.
2. Each subscriber's private chat sends /remind through the webhook (the bot stores the sealed
   address; the benchmark checks every one got "reminders are on" and that the database holds
   exactly that many subscriptions).
3. An admin (telegram.admins) sends `/broadcast TEXT` and presses the confirm button of the
   preview; the bot queues one outbox row per subscriber and both workers drain it.
4. When half of the subscribers have the message, one worker is killed with SIGKILL; the
   supervisor starts it again.
5. When no row is pending and the fake has seen nothing new for a few seconds, it checks at
   the fake: how many subscribers got the message once, none, twice or more (none is expected
   only for rows the killed worker had claimed: they are marked `sending` before the send, so a
   crash may lose a message but never doubles one); the largest number of broadcast messages
   in any 1-second window (against limits.outgoing_per_second); the total time from the
   confirm press to the last message; the outbox rows by status.

    .venv/bin/python bench/broadcast.py [--subscribers 5000] [--rate 25] [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchkit import sql  # noqa: E402
from benchkit.civicbot import (  # noqa: E402
    postgres_database,
    start_civicbot,
    wait_ready,
    write_config,
)
from benchkit.fake import BenchFake  # noqa: E402
from benchkit.processes import CORES, children  # noqa: E402
from benchkit.webhook import CONNECTIONS, Telegram  # noqa: E402

from bot.testing.buttons import find_button, keyboard_data  # noqa: E402
from bot.testing.fakebotapi import Person, callback_query, text_message  # noqa: E402
from bot.testing.harness import free_port  # noqa: E402
from bot.testing.postgres import postgres_problem  # noqa: E402

ADMIN = 700_000_001
FIRST_SUBSCRIBER = 720_000_000
TEXT = "New lesson: how to spot a deepfake in 5 minutes. Open /lessons to start!"
QUIET_SECONDS = 4.0


class BroadcastFake(BenchFake):
    """Also notes, as they arrive, the sendMessage calls that carry the announcement (the
    outbox sends it without buttons)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.sends: list[tuple[float, int, bool]] = []  # (arrived, chat, answered ok)
        self._sends_lock = threading.Lock()

    def __enter__(self) -> BroadcastFake:
        super().__enter__()
        return self

    def handle(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, Any] | None:
        at = time.monotonic()
        answer = super().handle(token, method, params)
        # The admin's preview carries the same text, with the confirm button: not a send.
        if (
            method == "sendMessage"
            and params.get("text") == self.text
            and not params.get("reply_markup")
        ):
            ok = answer is not None and answer[0] == 200
            with self._sends_lock:
                self.sends.append((at, int(params["chat_id"]), ok))
        return answer

    def sent(self) -> list[tuple[float, int, bool]]:
        with self._sends_lock:
            return list(self.sends)


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most events in any half-open interval [t, t + window)."""
    best, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= window:
            first += 1
        best = max(best, last - first + 1)
    return best


@dataclass
class Result:
    subscribers: int
    rate: float
    subscribed: int = 0
    subscribe_seconds: float = 0.0
    queued: int = 0
    got_once: int = 0
    got_none: int = 0
    got_twice: int = 0
    strays: int = 0
    failed_sends: int = 0
    max_per_window: int = 0
    steady_rate: float = 0.0
    total_seconds: float = 0.0
    killed_at_sent: int = 0
    restarted: bool = False
    outbox: dict[str, int] = field(default_factory=dict)
    per_second: list[int] = field(default_factory=list)
    exit_code: int = 0
    log: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            not self.problems
            and self.got_twice == 0
            and self.strays == 0
            and self.max_per_window <= self.rate
            and self.got_once + self.got_none == self.subscribers
        )


async def _subscribe(fake: BenchFake, telegram: Telegram, count: int, reply: str) -> int:
    ids = iter(range(1, 10**9))

    async def one(index: int) -> bool:
        person = Person(FIRST_SUBSCRIBER + index, f"S{index}", "en")
        fake.add_chat(person.chat())
        update = {"update_id": next(ids), "message": text_message(person, "/remind")}
        delivery = await telegram.deliver(update)
        calls = fake.chat_calls(person.id)
        return delivery.status == 200 and any(
            seen.ok and str(seen.params.get("text", "")).strip() == reply for seen in calls
        )

    done = await asyncio.gather(*(one(index) for index in range(count)))
    return sum(done)


async def _confirm(fake: BenchFake, telegram: Telegram) -> float:
    """The admin sends /broadcast and presses the confirm button; returns when it was pressed."""
    admin = Person(ADMIN, "Admin", "en")
    fake.add_chat(admin.chat())
    await telegram.deliver(
        {"update_id": 10**9, "message": text_message(admin, f"/broadcast {TEXT}")}
    )
    button = None
    for seen in fake.chat_calls(ADMIN):
        message = seen.message or {}
        data = find_button(keyboard_data(message.get("reply_markup")), "bcast")
        if data is not None:
            button = (int(message["message_id"]), data)
    if button is None:
        raise RuntimeError("the bot showed no confirm button for /broadcast")
    query = callback_query(admin, button[1], fake.message(ADMIN, button[0]))
    fake.open_callback(query)
    pressed = time.monotonic()
    await telegram.deliver({"update_id": 10**9 + 1, "callback_query": query})
    return pressed


def _outbox(url: str) -> dict[str, int]:
    query = "SELECT status, count(*) FROM outbox WHERE kind = 'broadcast' GROUP BY status"
    return {str(row[0]): int(row[1]) for row in sql.rows(url, query)}


def _subscriptions(url: str) -> int:
    return sql.counts(url, ["subscriptions"], where="kind = 'reminders'")["subscriptions"]


def run(subscribers: int, rate: float, connections: int) -> Result:
    from cryptography.fernet import Fernet

    from bot.config import Settings, bundled_content
    from bot.engine.content import Content
    from bot.library.loader import load_library_or_raise

    texts = Content.build(
        load_library_or_raise(bundled_content()), "en", Settings().matching.thresholds
    ).texts
    reminders_on = texts.render("en", "account.reminders_on").strip()
    result = Result(subscribers, rate)
    announcement = html.escape(TEXT)
    with (
        tempfile.TemporaryDirectory(prefix="civicbot-broadcast-") as folder,
        BroadcastFake(announcement) as fake,
        postgres_database() as url,
    ):
        home = Path(folder)
        port = free_port()
        config = home / "civicbot.json"
        write_config(config, fake, port, url, admins=[ADMIN], outgoing_per_second=rate)
        bot = start_civicbot("broadcast", config, home, 2, Fernet.generate_key().decode())
        try:
            wait_ready(bot, port)
            asyncio.run(_play(fake, port, connections, url, bot.running.pid, reminders_on, result))
        finally:
            result.exit_code = bot.stop()
            result.log = bot.log_summary()
        _judge(fake, result)
    return result


async def _play(
    fake: BroadcastFake,
    port: int,
    connections: int,
    url: str,
    supervisor: int,
    reminders_on: str,
    result: Result,
) -> None:
    telegram = Telegram(port, connections)
    began = time.monotonic()
    result.subscribed = await _subscribe(fake, telegram, result.subscribers, reminders_on)
    result.subscribe_seconds = time.monotonic() - began
    stored = _subscriptions(url)
    if result.subscribed != result.subscribers or stored != result.subscribers:
        result.problems.append(
            f"{result.subscribed} of {result.subscribers} subscribers were told reminders are on;"
            f" the database holds {stored} subscriptions"
        )
    pressed = await _confirm(fake, telegram)
    telegram.close()
    workers = children(supervisor)
    killed: int | None = None
    deadline = pressed + result.subscribers / result.rate * 3 + 90
    last_count, last_change = 0, time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        sent = len(fake.sent())
        if sent != last_count:
            last_count, last_change = sent, time.monotonic()
        if killed is None and sent >= result.subscribers // 2 and workers:
            killed = workers[0]
            os.kill(killed, signal.SIGKILL)
            result.killed_at_sent = sent
        if killed is not None and time.monotonic() - last_change > QUIET_SECONDS:
            outbox = _outbox(url)
            if not outbox.get("pending"):
                break
    else:
        result.problems.append("the broadcast did not finish in time")
    now = children(supervisor)
    result.restarted = killed is not None and killed not in now and len(now) >= len(workers)
    if killed is None:
        result.problems.append("no worker was killed (the broadcast never reached half)")
    elif not result.restarted:
        result.problems.append("the killed worker was not started again")
    result.outbox = _outbox(url)
    sends = fake.sent()
    if sends:
        result.total_seconds = max(at for at, _, _ in sends) - pressed
    result.per_second = _per_second([at for at, _, _ in sends], pressed)


def _per_second(times: list[float], start: float) -> list[int]:
    if not times:
        return []
    bins = [0] * (int(max(times) - start) + 1)
    for at in times:
        bins[int(at - start)] += 1
    return bins


def _judge(fake: BroadcastFake, result: Result) -> None:
    sends = fake.sent()
    subscribers = range(FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + result.subscribers)
    got = Counter(chat for _, chat, ok in sends if ok)
    result.failed_sends = sum(1 for _, _, ok in sends if not ok)
    result.strays = sum(n for chat, n in got.items() if chat not in subscribers)
    result.got_once = sum(1 for chat in subscribers if got[chat] == 1)
    result.got_twice = sum(1 for chat in subscribers if got[chat] >= 2)
    result.got_none = sum(1 for chat in subscribers if got[chat] == 0)
    times = sorted(at for at, _, _ in sends)
    result.max_per_window = max_in_window(times)
    if len(times) > 1:
        result.steady_rate = (len(times) - 1) / (times[-1] - times[0])
    result.queued = sum(result.outbox.values())
    if result.queued != result.subscribers:
        result.problems.append(f"{result.queued} outbox rows for {result.subscribers} subscribers")


def report(result: Result, elapsed: float) -> list[str]:
    r = result
    lines = [
        f"civicbot broadcast benchmark: {r.subscribers} subscribers, two webhook workers on "
        f"PostgreSQL, limits.outgoing_per_second {r.rate:g} (the per-process request limiter "
        f"off: telegram.overall_per_second 0), {CORES} CPU cores",
        f"subscribing: {r.subscribed}/{r.subscribers} chats sent /remind through the webhook and "
        f"were told reminders are on, in {r.subscribe_seconds:.1f} s",
        f"broadcast queued for {r.queued} subscribers; one worker killed with SIGKILL after "
        f"{r.killed_at_sent} messages; started again by the supervisor: {r.restarted}",
        f"received: once {r.got_once}, none {r.got_none}, twice or more {r.got_twice}; "
        f"messages to non-subscribers {r.strays}; sends the fake refused {r.failed_sends}",
        "outbox rows by status: "
        + ", ".join(f"{status} {n}" for status, n in sorted(r.outbox.items())),
        f"send rate: at most {r.max_per_window} messages in any 1-second window (limit "
        f"{r.rate:g}); {r.steady_rate:.1f}/s from the first message to the last",
        f"total: {r.total_seconds:.1f} s from the confirm press to the last message "
        f"({r.subscribers / r.rate:.0f} s is the floor at {r.rate:g}/s)",
        "messages per second after the confirm press: " + " ".join(map(str, r.per_second)),
        f"bot: exit code {r.exit_code}; log: {r.log.get('errors', 0)} errors, "
        f"{r.log.get('warnings', 0)} warnings, {r.log.get('tracebacks', 0)} tracebacks",
    ]
    lines += [f"PROBLEM: {problem}" for problem in r.problems]
    verdict = "MET" if r.ok else "NOT MET"
    lines.append(
        f"never doubled ({r.got_twice} twice) and within the rate ({r.max_per_window} <= "
        f"{r.rate:g} in every 1-second window) across a worker restart -> {verdict}"
    )
    lines.append(f"benchmark time {elapsed:.0f} s")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--subscribers", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=25.0, help="limits.outgoing_per_second")
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument("--quick", action="store_true", help="200 subscribers, for tests")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.quick:
        args.subscribers = 200
    problem = postgres_problem()
    if problem:
        print(f"the broadcast benchmark needs PostgreSQL: {problem}", file=sys.stderr)
        return 2
    began = time.monotonic()
    result = run(args.subscribers, args.rate, args.connections)
    print("\n".join(report(result, time.monotonic() - began)))
    if args.json:
        document: dict[str, Any] = dict(vars(result))
        document["ok"] = result.ok
        args.json.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
