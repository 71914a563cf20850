"""Part 1, hostile input: generated events straight into the engine, every reply checked as
Telegram would check it.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
import traceback
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchkit import ROOT
from sqlalchemy import text
from telegram import InputTextMessageContent

from bot.config import LimitsSettings
from bot.engine.engine import Engine
from bot.engine.events import ChatKind, Incoming, InlineAnswer, Reply
from bot.engine.payloads import Payload, owner_tag
from bot.library.limits import MESSAGE_CHARS
from bot.storage.unit import Store
from bot.testing.buttons import verb_of, with_owner
from bot.testing.fakebotapi import html_problems
from bot.testing.hostile import PAYLOADS, reply_problems
from bot.transports.telegram._render import inline_results
from reliabilitybench.common import LogTap, Run, open_database, tapped
from reliabilitybench.generator import VERBS, Generator

BOT = ROOT / "bot"
# Buttons that lead further into a lesson, quiz or test (pressed first when offered).
ONWARD = frozenset({"next", "quiz", "pick", "tick", "done", "cont", "rate", "retry", "lesson"})


class SteppingClock:
    """Time that moves on by a random step at each event (sometimes by days)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def step(self) -> None:
        if self.rng.random() < 0.01:
            self.now += dt.timedelta(days=self.rng.randint(1, 40))
        else:
            self.now += dt.timedelta(seconds=self.rng.expovariate(1 / 20))


@dataclass
class FuzzUser:
    key: str
    language: str | None
    chat: ChatKind = ChatKind.PRIVATE
    fresh: list[str] = field(default_factory=list)  # payloads of the last replies
    onward: list[str] = field(default_factory=list)  # the latest ones leading further
    shown: list[str] = field(default_factory=list)  # every payload shown, oldest first


@dataclass
class HostileResult:
    tried: int = 0
    events: int = 0
    inline: int = 0
    crashes: int = 0
    invalid: int = 0
    replayed: int = 0
    replayed_answered: int = 0
    foreign: int = 0
    foreign_acted: int = 0
    seen: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)


def run_hostile(run: Run) -> None:
    started = time.monotonic()
    count, content, workdir, report = run.scale.hostile_inputs, run.content, run.workdir, run.report
    rng = random.Random(run.seed)
    gen = Generator(rng, content.library)
    clock = SteppingClock(rng)
    database = open_database(workdir / "hostile.sqlite3")
    store = Store(database)
    unlimited = Engine(store, content, clock, LimitsSettings(burst=10**9))
    limited = Engine(store, content, clock)  # the default inbound rate limit
    users = [
        FuzzUser(f"{rng.getrandbits(256):064x}", rng.choice(["en", "ru", None, "xx"]))
        for _ in range(24)
    ]
    users[-1].chat = ChatKind.GROUP
    handled: list[Incoming] = []
    result = HostileResult()
    user = users[0]
    with tapped("bot.engine.engine") as tap:
        while result.tried < count:
            if rng.random() < 0.02:
                users.append(FuzzUser(f"{rng.getrandbits(256):064x}", gen.language()))
            # Often the same person again, so state builds up between their events.
            user = user if rng.random() < 0.6 else rng.choice(users)
            engine = limited if rng.random() < 0.05 else unlimited
            kind = rng.choices(
                [
                    "text",
                    "walk",
                    "fresh",
                    "replay",
                    "forged",
                    "foreign",
                    "payload",
                    "inline",
                    "redeliver",
                ],
                [32, 3, 18, 9, 10, 4, 6, 6, 5],
            )[0]
            # A walk: several presses in a row that lead further (through a lesson into its
            # quiz or the test), with hostile text typed now and then (short answers).
            steps = rng.randint(4, 16) if kind == "walk" else 1
            for _ in range(min(steps, count - result.tried)):
                result.tried += 1
                clock.step()
                if kind == "inline":
                    _hostile_inline(engine, gen, result)
                    continue
                if kind == "redeliver" and handled:
                    _hostile_redelivery(engine, rng.choice(handled), result, tap)
                    continue
                if kind == "foreign":
                    foreign = _foreign_press(user, users, gen, result.tried, rng)
                    _hostile_foreign(engine, database, foreign, result, tap)
                    continue
                step = kind
                if kind == "walk":
                    step = "text" if rng.random() < 0.15 else "fresh"
                incoming = _hostile_event(step, user, gen, result.tried, rng)
                replies = _hostile_handle(engine, incoming, result, tap)
                if replies is None:
                    continue
                if incoming.event_id is not None:
                    handled.append(incoming)
                offered = [b.payload for reply in replies for b in reply.flat_buttons]
                if offered:
                    user.fresh = offered
                    onward = [data for data in offered if verb_of(data) in ONWARD]
                    user.onward = onward or user.onward
                    user.shown = [*user.shown, *offered][-300:]
    database.dispose()
    report.add("hostile.tried", "hostile inputs tried", result.tried)
    report.add("hostile.events", "  of which engine events", result.events)
    report.add("hostile.inline", "  of which inline queries", result.inline)
    report.add("hostile.crashes", "crashes", result.crashes, must_be_zero=True)
    report.add("hostile.invalid", "invalid messages", result.invalid, must_be_zero=True)
    report.add("hostile.replayed", "re-delivered events", result.replayed)
    report.add(
        "hostile.replayed_answered",
        "re-delivered events answered again",
        result.replayed_answered,
        must_be_zero=True,
    )
    report.add("hostile.foreign", "presses on another person's button", result.foreign)
    report.add(
        "hostile.foreign_acted",
        "  answered beyond a notice, or changing data",
        result.foreign_acted,
        must_be_zero=True,
    )
    for signature, count in result.seen.items():
        example = result.examples.get(signature, "")
        report.findings.append(f"hostile: {count} x {signature}\n{example}".rstrip())
    report.seconds["hostile"] = time.monotonic() - started


def _hostile_event(
    kind: str, user: FuzzUser, gen: Generator, number: int, rng: random.Random
) -> Incoming:
    payload: str | None = None
    typed = ""
    if kind == "text":
        typed = gen.text()
    elif kind == "fresh" and user.fresh:
        onward = user.onward if rng.random() < 0.85 else []
        payload = rng.choice(onward or user.fresh)
    elif kind == "fresh":
        typed = rng.choice(["/start", "/lessons", "/test", "/review", "/menu", "/remind"])
    elif kind == "replay" and user.shown:
        payload = rng.choice(user.shown)
    elif kind in ("forged", "replay"):
        payload = gen.forged(user.shown)
    else:
        payload = rng.choice([*PAYLOADS, gen.unicode(rng.randint(0, 80))])
    # Drawing the progress chart takes ~0.15 s, more than a hundred other events: one press
    # in five that asks for it still draws it, the others open the menu instead.
    chart = payload is not None and verb_of(payload) == "progress"
    if (chart or typed.startswith("/progress")) and rng.random() < 0.8:
        menu = Payload("menu", 0, owner_tag(user.key)).encode()
        payload, typed = (menu, "") if payload is not None else (None, "/menu")
    language = user.language if rng.random() < 0.7 else gen.language()
    return Incoming(
        user=user.key,
        text=typed,
        payload=payload,
        language=language,
        chat=user.chat,
        event_id=f"tg:{number}" if rng.random() < 0.8 else None,
        address=f"sealed-{user.key[:8]}" if rng.random() < 0.5 else None,
    )


def _hostile_handle(
    engine: Engine, incoming: Incoming, result: HostileResult, tap: LogTap
) -> list[Reply] | None:
    result.events += 1
    before, traces = engine.failures, len(tap.tracebacks)
    try:
        replies = engine.handle(incoming)
    except Exception:
        result.crashes += 1
        _example(result, "exception from Engine.handle", incoming, traceback.format_exc())
        return None
    if engine.failures != before:
        result.crashes += 1
        trace = tap.tracebacks[-1] if len(tap.tracebacks) > traces else "(no traceback logged)"
        _example(result, "event answered with the apology", incoming, trace)
        return None
    for reply in replies:
        try:
            problems = reply_problems([reply])
        except Exception:  # the Telegram renderer itself failed on this reply
            result.invalid += 1
            _example(result, "the renderer failed", incoming, traceback.format_exc())
            continue
        if problems:
            result.invalid += 1
            _example(result, f"invalid message {problems[:3]}", incoming, reply.text[:300])
    return replies


def _hostile_redelivery(
    engine: Engine, incoming: Incoming, result: HostileResult, tap: LogTap
) -> None:
    """The same event again (Telegram re-delivering an update): it must change nothing."""
    result.replayed += 1
    replies = _hostile_handle(engine, incoming, result, tap)
    if replies:
        result.replayed_answered += 1
        _example(result, "a re-delivered event was answered again", incoming, "no reply expected")


def _foreign_press(
    user: FuzzUser, users: Sequence[FuzzUser], gen: Generator, number: int, rng: random.Random
) -> Incoming:
    """A press on a button made for someone else, in a group where everybody sees everybody's
    buttons: one another person was shown, or one of this person's own (or a made-up one)
    carrying another person's tag."""
    mine = owner_tag(user.key)
    others = [other for other in users if owner_tag(other.key) != mine]
    theirs = [data for other in others for data in other.fresh]
    roll = rng.random()
    payload: str | None = None
    if roll < 0.5 and theirs:
        payload = rng.choice(theirs)
    elif roll < 0.85 and user.shown:
        who = owner_tag(rng.choice(others).key) if others else f"{rng.getrandbits(24):06x}"
        payload = with_owner(rng.choice(user.shown), who if who != mine else "000000")
    if payload is None:
        who = f"{rng.getrandbits(24):06x}"
        who = who if who != mine else "ffffff"
        verb = rng.choice(VERBS)
        payload = Payload(verb, rng.randint(0, 60), who, rng.choice([None, "0", "1"])).encode()
    return Incoming(
        user=user.key,
        payload=payload,
        language=user.language if rng.random() < 0.7 else gen.language(),
        chat=ChatKind.GROUP,
        event_id=f"tg:{number}" if rng.random() < 0.8 else None,
    )


def _hostile_foreign(
    engine: Engine, database: Any, incoming: Incoming, result: HostileResult, tap: LogTap
) -> None:
    """Someone else's button: a notice on the button alone, and nothing changed for anyone."""
    result.foreign += 1
    before = _fingerprint(database)
    replies = _hostile_handle(engine, incoming, result, tap)
    if replies is None:
        return  # counted as a crash
    more = [r for r in replies if r.text.strip() or r.buttons or r.image or r.attachment]
    if more or not replies or any(not reply.notice for reply in replies):
        result.foreign_acted += 1
        shown = " | ".join(reply.text[:80] for reply in more) or "no notice"
        _example(result, "someone else's button was answered", incoming, shown)
    elif _fingerprint(database) != before:
        result.foreign_acted += 1
        _example(result, "someone else's button changed data", incoming, "no change expected")


def _fingerprint(database: Any) -> tuple[Any, ...]:
    """Rows per table, and every person's row: what a press that changes nothing leaves alone."""
    with database.connect() as connection:
        tables = connection.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ).scalars()
        counts = tuple(
            connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
            for table in list(tables)
        )
        users = tuple(tuple(row) for row in connection.execute(text("SELECT * FROM users")))
    return counts, users


def _hostile_inline(engine: Engine, gen: Generator, result: HostileResult) -> None:
    result.inline += 1
    query = gen.text()
    try:
        answers: list[InlineAnswer] = engine.inline(query, gen.language())
        results = inline_results(answers)
    except Exception:
        result.crashes += 1
        probe = Incoming(user="inline", text=query)
        _example(result, "exception from an inline query", probe, traceback.format_exc())
        return
    for article in results:
        content = article.input_message_content
        message = content.message_text if isinstance(content, InputTextMessageContent) else ""
        problems = html_problems(message, MESSAGE_CHARS)
        if not article.title.strip():
            problems.append("an inline result without a title")
        if problems:
            result.invalid += 1
            _example(result, f"invalid inline result {problems[:3]}", Incoming("inline", query), "")


def _example(result: HostileResult, what: str, incoming: Incoming, detail: str) -> None:
    """Group failures by kind and place in the bot's code; keep the first input of each."""
    signature = f"{what}: {_where(detail)}" if detail.startswith("Traceback") else what
    result.seen[signature] += 1
    if result.seen[signature] > 1 or len(result.seen) > 12:
        return
    shown = repr(incoming)
    if len(shown) > 400:
        shown = shown[:400] + "…"
    result.examples[signature] = f"  first input: {shown}\n{_own_frames(detail)}"


_ERROR_LINE = re.compile(r"[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b")


def _where(trace: str) -> str:
    """The exception and the innermost line of the bot's own code it came from."""
    frames = re.findall(r'File "([^"]+)", line (\d+)', trace)
    own = [f"{Path(f).relative_to(ROOT)}:{n}" for f, n in frames if f.startswith(str(BOT))]
    named = [line for line in trace.splitlines() if _ERROR_LINE.match(line)]
    error = named[-1].split(":")[0] if named else "an error"
    return f"{error} at {own[-1] if own else 'an unknown place'}"


def _own_frames(trace: str) -> str:
    """The traceback cut to the frames in the bot's code and the error line."""
    if not trace.startswith("Traceback"):
        return "    " + trace.strip()[:300].replace("\n", "\n    ")
    lines = trace.strip().splitlines()
    kept: list[str] = []
    for number, line in enumerate(lines):
        if line.strip().startswith("File ") and str(BOT) in line:
            kept.append(line)
            if number + 1 < len(lines):
                kept.append(lines[number + 1])
    kept.extend(line for line in lines if _ERROR_LINE.match(line))
    return "\n".join("  " + line for line in kept)
