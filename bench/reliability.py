"""Reliability figures: hostile input, Telegram faults, and a bot killed with SIGKILL.

Some of civicbot's users ask about claims it is dangerous to doubt. For them the bot must not
fall over on whatever it is sent, and must never forget an answer it has already confirmed.
This run measures both, with the real engine, the bundled content and SQLite, in three parts:

1. Hostile input. Seeded, generated events go straight into `Engine.handle` (and inline queries
   into `Engine.inline`): texts built from the naughty strings of tests/hostile.py, random
   Unicode from many scripts at every length up to 16k characters, markup and template
   injection, binary-looking text, real claims with noise, commands with junk arguments; forged
   button payloads (mutated seq tags and arguments, Unicode digits, unknown verbs), replayed
   old buttons, and walks of valid presses deep into lessons, quizzes, reviews and the test;
   junk language hints, group chats, re-delivered event ids, a clock that jumps ahead. Every
   reply goes through the Telegram renderer's check (`reply_problems`: split_html plus an
   independent Telegram HTML checker, button and notice limits). Figures: inputs tried,
   crashes (events answered with the apology, or any exception), invalid messages, and
   re-delivered events answered a second time.
2. Faults. The real transport (python-telegram-bot, polling) serves the real engine against
   the fake Bot API (tests/fakebotapi) while scripted learners start, pick a language, read a
   lesson card by card, answer its quiz, send claims, double-tap and press old buttons. The
   fake refuses a share of sendMessage, editMessageText, answerCallbackQuery and getUpdates
   requests with 429 (retry_after 1 s), 500 or a dropped connection, each request at most
   twice (the transport retries up to four times). Faults are injected before the fake acts,
   as Telegram's 429 and 5xx are. Figures: updates sent, updates processed, replies lost (an
   update whose replies did not all reach the chat), replies duplicated (a reply delivered
   twice, an update answered twice), answers stored twice, acknowledged answers missing.
3. Kill -9. `python -m bot run` serves learners answering quizzes (each presses an answer only
   after it saw the question; an answer is acknowledged once the bot sent its feedback). The
   process is killed with SIGKILL while they work and started again on the same database;
   the updates it fetched in its last second are delivered again, as Telegram does when the
   confirmation of a fetch never reached it (those already handled must be ignored), and
   learners whose reply did not come press again, as people do. Afterwards the database must
   hold every acknowledged answer exactly once (rows per user, quiz, question and attempt),
   and every learner who was in a quiz at a kill must have got the next step of that quiz.

    .venv/bin/python bench/reliability.py [--quick] [--seed N] [--only hostile,faults,kill]
                                          [--json FILE]

Prints a table of figures and exits with 1 when one that must be zero is not.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from telegram import InputTextMessageContent  # noqa: E402

from bot.config import (  # noqa: E402
    LimitsSettings,
    Settings,
    bundled_content,
)
from bot.engine.content import Content  # noqa: E402
from bot.engine.engine import ADMIN_COMMANDS, COMMANDS, Engine  # noqa: E402
from bot.engine.events import ChatKind, Incoming, InlineAnswer, Reply  # noqa: E402
from bot.engine.payloads import STATEFUL, STATELESS  # noqa: E402
from bot.library.catalog import Library  # noqa: E402
from bot.library.limits import CAPTION_CHARS, MESSAGE_CHARS  # noqa: E402
from bot.library.loader import load_library_or_raise  # noqa: E402
from bot.library.schema import Question, QuestionType, Quiz  # noqa: E402
from bot.storage import db  # noqa: E402
from bot.storage.keys import user_key  # noqa: E402
from bot.storage.unit import Store  # noqa: E402
from bot.testing.fakebotapi import (  # noqa: E402
    TOKEN,
    FakeBotApi,
    Person,
    callback_query,
    html_problems,
    text_message,
    visible_text,
)
from bot.transports.telegram._html import split_html, visible_length  # noqa: E402
from bot.transports.telegram._render import inline_results  # noqa: E402
from bot.testing.hostile import NAUGHTY, PAYLOADS, reply_problems  # noqa: E402
from bot.testing.harness import SECRET_KEY, Recording, RunningBot  # noqa: E402

SEED = 20260302


@dataclass(frozen=True)
class Scale:
    hostile_inputs: int
    fault_learners: int
    fault_interactions: int
    kill_learners: int
    kill_quizzes: int  # quizzes each learner takes
    kills: int


FULL = Scale(
    hostile_inputs=10_000,
    fault_learners=30,
    fault_interactions=24,
    kill_learners=24,
    kill_quizzes=2,
    kills=3,
)
QUICK = Scale(
    hostile_inputs=1_500,
    fault_learners=6,
    fault_interactions=16,
    kill_learners=8,
    kill_quizzes=1,
    kills=1,
)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int
    must_be_zero: bool = False

    @property
    def bad(self) -> bool:
        return self.must_be_zero and self.value != 0


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)

    def add(self, key: str, label: str, value: int, *, must_be_zero: bool = False) -> None:
        self.figures.append(Figure(key, label, value, must_be_zero))

    @property
    def bad(self) -> list[Figure]:
        return [figure for figure in self.figures if figure.bad]


class LogTap(logging.Handler):
    """Collects error records, and the tracebacks the engine logs at debug level."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.errors: Counter[str] = Counter()
        self.tracebacks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.tracebacks.append("".join(traceback.format_exception(*record.exc_info)))
        if record.levelno >= logging.ERROR:
            self.errors[f"{record.name}: {record.getMessage()}"] += 1


@contextlib.contextmanager
def tapped(*names: str, level: int = logging.DEBUG) -> Iterator[LogTap]:
    """Route the named loggers (default: all) to a LogTap only, for the block's duration."""
    tap = LogTap()
    loggers = [logging.getLogger(name) for name in names] or [logging.getLogger()]
    saved = [(lg, lg.level, lg.propagate) for lg in loggers]
    engine_log = logging.getLogger("bot.engine.engine")
    engine_level = engine_log.level
    engine_log.setLevel(logging.DEBUG)  # the engine logs the traceback of a failure at debug
    for lg in loggers:
        lg.addHandler(tap)
        lg.setLevel(min(level, lg.level) if lg.level else level)
        if lg.name != "root":
            lg.propagate = False
    try:
        yield tap
    finally:
        for lg, old_level, propagate in saved:
            lg.removeHandler(tap)
            lg.setLevel(old_level)
            lg.propagate = propagate
        engine_log.setLevel(engine_level)


def load_content() -> Content:
    library = load_library_or_raise(bundled_content())
    return Content.build(library, "en", Settings().matching.thresholds)


def open_database(path: Path) -> Any:
    database = db.open_engine(f"sqlite:///{path}")
    db.upgrade(database)
    return database


# ---------------------------------------------------------------------------------------------
# 1. Hostile input
# ---------------------------------------------------------------------------------------------

# Code point ranges: scripts written left to right and right to left, combining marks, invisible
# and bidi controls, private use, astral planes, controls and (rarely) lone surrogates.
SCRIPTS: list[tuple[int, int]] = [
    (0x0021, 0x007E),  # ASCII
    (0x00A0, 0x024F),  # Latin-1 and extended
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x04FF),  # Cyrillic
    (0x0530, 0x058F),  # Armenian
    (0x0590, 0x05FF),  # Hebrew
    (0x0600, 0x06FF),  # Arabic
    (0x0700, 0x074F),  # Syriac
    (0x0900, 0x097F),  # Devanagari
    (0x0980, 0x09FF),  # Bengali
    (0x0B80, 0x0BFF),  # Tamil
    (0x0E00, 0x0E7F),  # Thai
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x10A0, 0x10FF),  # Georgian
    (0x1200, 0x137F),  # Ethiopic
    (0x1780, 0x17FF),  # Khmer
    (0x1800, 0x18AF),  # Mongolian
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x4E00, 0x9FFF),  # CJK
    (0xAC00, 0xD7A3),  # Hangul
    (0x0300, 0x036F),  # combining marks
    (0x2000, 0x206F),  # spaces, zero-width and bidi controls
    (0x2100, 0x22FF),  # letterlike, arrows, maths
    (0x2460, 0x24FF),  # enclosed digits (isdigit() but not int())
    (0x2500, 0x25FF),  # box drawing
    (0xE000, 0xF8FF),  # private use
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFFF0, 0xFFFF),  # specials, non-characters
    (0x1F300, 0x1FAFF),  # emoji
    (0x1D400, 0x1D7FF),  # mathematical alphanumerics
    (0x20000, 0x2A6DF),  # CJK extension B
    (0xE0000, 0xE007F),  # tags
    (0x0000, 0x001F),  # C0 controls
    (0x007F, 0x009F),  # C1 controls
]
SURROGATES = (0xD800, 0xDFFF)
DIGITS = "0123456789²³¹①⑨٠١٢۳߀०১๑１９⁰₉"
MARKUP = [
    "<b>",
    "</b>",
    "<i>",
    "</i>",
    "<a href='x'>",
    '<a href="javascript:alert(1)">',
    "</a>",
    "<pre>",
    "<code class='language-x'>",
    "<tg-spoiler>",
    "<blockquote expandable>",
    "&",
    "&amp;",
    "&lt;",
    "&#0;",
    "&#x1F600;",
    "&nbsp;",
    "&bogus;",
    "<",
    ">",
    '"',
    "'",
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "${x}",
    "%s",
    "\\",
]
LANGUAGES: list[str | None] = [
    None,
    "en",
    "ru",
    "en",
    "ru",
    "xx",
    "",
    "<b>",
    "en-US",
    "zh-hans",
    "ru_RU",
    "a" * 100,
    "\u0000",
    "ar",
    "fa",
    "uk",
]
VERBS = sorted(STATEFUL | STATELESS)
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


class Generator:
    """Seeded hostile texts, payloads and languages."""

    def __init__(self, rng: random.Random, library: Library) -> None:
        self.rng = rng
        self.claims = [fc.claim for fc in library.factchecks.values()]
        self.answers = [
            answer
            for quiz in library.quizzes.values()
            for question in quiz.questions
            for answer in question.accepted
        ]

    def length(self) -> int:
        bucket = self.rng.choices([8, 64, 512, 4096, 16384], [15, 35, 25, 15, 10])[0]
        return self.rng.randint(0, bucket)

    def char(self, scripts: Sequence[tuple[int, int]]) -> str:
        if self.rng.random() < 0.001:
            return chr(self.rng.randint(*SURROGATES))
        low, high = self.rng.choice(scripts)
        return chr(self.rng.randint(low, high))

    def unicode(self, length: int) -> str:
        scripts = self.rng.sample(SCRIPTS, self.rng.randint(1, 3))
        out: list[str] = []
        size = 0
        while size < length:
            word = "".join(self.char(scripts) for _ in range(self.rng.randint(1, 12)))
            out.append(word)
            out.append(self.rng.choice([" ", " ", " ", "\n", "\t", ", ", ". ", "\u200f", ""]))
            size += len(word) + 1
        return "".join(out)[:length]

    def markup(self, length: int) -> str:
        pieces: list[str] = []
        while sum(map(len, pieces)) < length:
            if self.rng.random() < 0.5:
                pieces.append(self.rng.choice(MARKUP))
            else:
                pieces.append(self.unicode(self.rng.randint(1, 20)))
        return "".join(pieces)[: max(length, 1)]

    def binary(self, length: int) -> str:
        if self.rng.random() < 0.5:
            return bytes(self.rng.randrange(256) for _ in range(length)).decode("latin-1")
        raw = bytes(self.rng.randrange(256) for _ in range(length))
        return raw.decode("utf-8", errors="surrogateescape")

    def claim(self) -> str:
        claim = self.rng.choice(self.claims)
        words = claim.split()
        for _ in range(self.rng.randint(0, 4)):
            at = self.rng.randrange(len(words) + 1)
            words.insert(at, self.rng.choice([*NAUGHTY[:20], *MARKUP, self.unicode(8)]))
        text = " ".join(words)
        if self.rng.random() < 0.3:
            text = "Forwarded from Channel\n\n" + text + " https://t.co/x?utm_source=tg"
        if self.rng.random() < 0.2:
            text = text * self.rng.randint(2, 40)
        return text

    def command(self) -> str:
        name = self.rng.choice([*COMMANDS, *ADMIN_COMMANDS, self.unicode(6), "", "START"])
        suffix = self.rng.choice(["", "", "@civic_test_bot", "@" + self.unicode(10)])
        rest = self.rng.choice(["", " ", " on", " off", " " + self.text(depth=1)])
        return "/" + name + suffix + rest

    def text(self, depth: int = 0) -> str:
        kind = self.rng.choices(
            ["naughty", "unicode", "mixed", "markup", "binary", "claim", "command", "answer"],
            [20, 25, 15, 10, 5, 12, 10 if depth == 0 else 0, 3],
        )[0]
        if kind == "naughty":
            return self.rng.choice(NAUGHTY)
        if kind == "unicode":
            return self.unicode(self.length())
        if kind == "mixed":
            parts = [self.rng.choice(NAUGHTY) for _ in range(self.rng.randint(1, 4))]
            parts.append(self.unicode(self.length() // 4))
            self.rng.shuffle(parts)
            return self.rng.choice(["", " ", "\n"]).join(parts)
        if kind == "markup":
            return self.markup(self.length())
        if kind == "binary":
            return self.binary(self.length() // 4)
        if kind == "claim":
            return self.claim()
        if kind == "answer":
            return self.rng.choice(self.answers) + self.rng.choice(["", " ", "!", " <b>"])
        return self.command()

    def forged(self, valid: Sequence[str]) -> str:
        """A payload this bot could not have made, most often a close copy of one it did."""
        if not valid or self.rng.random() < 0.2:
            verb = self.rng.choice([*VERBS, "", "PICK", "pick ", self.unicode(4)])
            parts = [verb, *(self.forged_part() for _ in range(self.rng.randint(0, 3)))]
            return ":".join(parts)
        parts = self.rng.choice(valid).split(":")
        at = self.rng.randrange(len(parts))
        choice = self.rng.random()
        if choice < 0.4:
            parts[at] = self.forged_part()
        elif choice < 0.55:
            parts.append(self.forged_part())
        elif choice < 0.7 and len(parts) > 1:
            parts.pop(at)
        elif choice < 0.85:
            parts[0] = self.rng.choice(VERBS)
        else:
            parts[at] = parts[at] + self.rng.choice(["\u0000", " ", "é", "\u200b", "9" * 20])
        return ":".join(parts)

    def forged_part(self) -> str:
        return self.rng.choice(
            [
                str(self.rng.randint(-3, 12)),
                str(self.rng.randint(0, 10**12)),
                "".join(self.rng.choice(DIGITS) for _ in range(self.rng.randint(1, 3))),
                self.rng.choice(["", "-1", "+1", " 1", "1.0", "1e3", "0x1", "00", "NaN"]),
                self.unicode(self.rng.randint(1, 10)),
                "a" * self.rng.randint(40, 70),
                "../../" + self.unicode(4),
                self.rng.choice(["y-x", "n-x", "on", "off", "en", "ru", "zz", "q1", "ok"]),
            ]
        )

    def language(self) -> str | None:
        return self.rng.choice(LANGUAGES)


@dataclass
class HostileResult:
    tried: int = 0
    events: int = 0
    inline: int = 0
    crashes: int = 0
    invalid: int = 0
    replayed: int = 0
    replayed_answered: int = 0
    seen: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)


def run_hostile(count: int, seed: int, content: Content, workdir: Path, report: Report) -> None:
    started = time.monotonic()
    rng = random.Random(seed)
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
                ["text", "walk", "fresh", "replay", "forged", "payload", "inline", "redeliver"],
                [32, 3, 18, 9, 14, 6, 6, 5],
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
                    onward = [data for data in offered if data.split(":")[0] in ONWARD]
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
    if (payload == "progress" or typed.startswith("/progress")) and rng.random() < 0.8:
        payload, typed = ("menu", "") if payload is not None else (None, "/menu")
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


# ---------------------------------------------------------------------------------------------
# The fake Bot API as learners see it, with fault injection
# ---------------------------------------------------------------------------------------------

FAULTY = frozenset({"sendMessage", "editMessageText", "answerCallbackQuery", "getUpdates"})
SENDS = frozenset({"sendMessage", "editMessageText", "sendPhoto", "sendDocument"})
FAULT_KINDS: list[Any] = ["429", "500", "drop"]
FAULT_WEIGHTS = [15, 45, 40]
FAULTS_PER_REQUEST = 2
FAULT_RATE = 0.1


@dataclass(frozen=True)
class Delivery:
    """A message put in a chat (sent, or edited in place) as the person sees it."""

    method: str
    message_id: int
    text: str
    buttons: tuple[str, ...]

    @property
    def verbs(self) -> frozenset[str]:
        return frozenset(data.split(":", 1)[0] for data in self.buttons)


class ObservedApi(FakeBotApi):
    """The fake Bot API, indexed per chat for waiting learners, refusing some requests."""

    def __init__(self, *, seed: int = SEED, fault_rate: float = 0.0) -> None:
        super().__init__(max_poll=2.0)
        self.fault_rate = fault_rate
        self.injected: Counter[str] = Counter()
        self._rng = random.Random(seed)
        self._tries: Counter[tuple[Any, ...]] = Counter()
        self._serial = threading.Lock()
        self._seen = threading.Condition()
        self._chats: dict[int, list[Delivery]] = defaultdict(list)
        self._notices: dict[str, str] = {}
        self.last_update_id = 0
        self.polls = 0

    def __enter__(self) -> ObservedApi:
        super().__enter__()
        return self

    def push(self, kind: str, payload: dict[str, Any]) -> int:
        update_id = super().push(kind, payload)
        with self._seen:
            self.last_update_id = max(self.last_update_id, update_id)
        return update_id

    def handle(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, Any] | None:
        if method == "getUpdates":
            with self._seen:
                self.polls += 1
                self._seen.notify_all()
        if not self.fault_rate or method not in FAULTY:
            answer = super().handle(token, method, params)
        else:
            # One request of a method at a time, so a fault lands on the request it was meant for
            # (getUpdates has a single caller anyway, and must not block the others).
            lock: contextlib.AbstractContextManager[Any] = (
                contextlib.nullcontext() if method == "getUpdates" else self._serial
            )
            with lock:
                self._maybe_fail(method, params)
                answer = super().handle(token, method, params)
        self._observe(method, params, answer)
        return answer

    def _maybe_fail(self, method: str, params: dict[str, Any]) -> None:
        key = _request_key(method, params)
        if self._tries[key] >= FAULTS_PER_REQUEST or self._rng.random() >= self.fault_rate:
            return
        self._tries[key] += 1
        kind = self._rng.choices(FAULT_KINDS, FAULT_WEIGHTS)[0]
        self.fail(method, kind, retry_after=1)
        self.injected[kind] += 1

    def _observe(self, method: str, params: dict[str, Any], answer: tuple[int, Any] | None) -> None:
        if answer is None:
            return
        status, body = answer
        with self._seen:
            if method == "answerCallbackQuery" and status == 200:
                self._notices[str(params.get("callback_query_id"))] = str(params.get("text") or "")
            elif method in SENDS and "chat_id" in params:
                unchanged = status == 400 and "not modified" in str(body.get("description"))
                if status == 200:
                    message_id = int(body["result"]["message_id"])
                elif method == "editMessageText" and unchanged:
                    message_id = int(params.get("message_id") or 0)
                else:
                    return
                shown = str(params.get("text") or params.get("caption") or "")
                buttons = _callback_data(params.get("reply_markup"))
                chat = int(params["chat_id"])
                self._chats[chat].append(Delivery(method, message_id, shown, buttons))
            self._seen.notify_all()

    def redeliver(self, since: float) -> int:
        """Queue again, under their own ids, the updates fetched since `since` (monotonic):
        what Telegram does when the confirmation of a fetch never reached it. Returns how many.
        """
        with self._cond:
            again: dict[int, dict[str, Any]] = {}
            for call in self._calls:
                if call.method == "getUpdates" and call.ok and call.at >= since and call.result:
                    again.update((int(update["update_id"]), update) for update in call.result)
            queued = {int(update["update_id"]) for update in self._state.pending}
            fresh = [update for key, update in sorted(again.items()) if key not in queued]
            if fresh:
                pending = [*self._state.pending, *fresh]
                self._state.pending = sorted(pending, key=lambda update: int(update["update_id"]))
                self._state.confirmed = min(self._state.confirmed, int(fresh[0]["update_id"]))
                self._cond.notify_all()
            return len(fresh)

    def deliveries(self, chat_id: int, start: int = 0) -> list[Delivery]:
        with self._seen:
            return list(self._chats[chat_id][start:])

    def delivered(self, chat_id: int) -> int:
        with self._seen:
            return len(self._chats[chat_id])

    def notice(self, query_id: str) -> str | None:
        """The text a button press was answered with ("" for none); None while unanswered."""
        with self._seen:
            return self._notices.get(query_id)

    def wait_change(self, timeout: float) -> None:
        with self._seen:
            self._seen.wait(timeout)

    def wait_polls(self, above: int, timeout: float) -> None:
        """Block until getUpdates was called more than `above` times."""
        deadline = time.monotonic() + timeout
        with self._seen:
            while self.polls <= above:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the bot never polled for updates")
                self._seen.wait(remaining)


def _request_key(method: str, params: dict[str, Any]) -> tuple[Any, ...]:
    if method == "getUpdates":
        return (method, params.get("offset"))
    if method == "answerCallbackQuery":
        return (method, params.get("callback_query_id"))
    return (method, params.get("chat_id"), params.get("message_id"), params.get("text"))


def _callback_data(markup: Any) -> tuple[str, ...]:
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            return ()
    if not isinstance(markup, dict):
        return ()
    return tuple(
        str(button["callback_data"])
        for row in markup.get("inline_keyboard", [])
        for button in row
        if isinstance(button, dict) and "callback_data" in button
    )


# ---------------------------------------------------------------------------------------------
# Scripted learners
# ---------------------------------------------------------------------------------------------


@dataclass
class Control:
    """Whether the bot is serving; `epoch` counts restarts that have caught up."""

    gate: threading.Event = field(default_factory=threading.Event)
    epoch: int = 0


@dataclass
class Action:
    texts: list[str] = field(default_factory=list)  # typed messages, or
    presses: list[str] = field(default_factory=list)  # button payloads on `on`
    on: Delivery | None = None
    answer: tuple[str, str] | None = None  # (quiz, question) this action answers
    keep_view: bool = False  # a claim or an old button: the learner stays where it was
    starts_quiz: Quiz | None = None


@dataclass
class Window:
    """One action's updates, and the slice of the chat holding their replies."""

    update_ids: list[int]
    queries: dict[int, str]  # update id -> callback query id
    start: int
    end: int = -1


class Learner:
    """A person working through lessons and quizzes by pressing what the bot shows them."""

    def __init__(
        self,
        api: ObservedApi,
        person: Person,
        library: Library,
        rng: random.Random,
        *,
        lessons: int,
        control: Control | None = None,
        extras: bool = False,
        timeout: float = 30.0,
        expect: Callable[[int], list[str] | None] | None = None,
    ) -> None:
        self.api = api
        self.person = person
        self.language = person.language or "en"
        self.library = library
        self.rng = rng
        self.control = control
        self.extras = extras
        self.timeout = timeout
        self.expect = expect  # the texts answering an update, once the engine handled it
        available = [lesson.id for lesson in library.lessons_in(self.language)]
        self.plan = rng.sample(available, min(lessons, len(available)))
        self.claims = [
            fc.claim for fc in library.factchecks.values() if fc.language == self.language
        ]
        self.view: Delivery | None = None
        self.quiz: Quiz | None = None
        self.question: Question | None = None
        self.ticked: set[int] = set()
        self.history: list[Delivery] = []
        self.windows: list[Window] = []
        self.acked: list[tuple[str, str]] = []
        self.actions = 0
        self.waiting = False  # an action was sent and its reply is not complete yet
        self.resent = 0  # actions sent again because a restart swallowed their reply
        self.unanswered = 0  # actions that never got their reply
        self.stranded = 0  # quizzes that could not be continued after a kill
        self.finished_quizzes = 0
        self.kill_epoch: int | None = None  # set when the bot was killed while in a quiz
        self.continued = 0
        self.error: str | None = None

    @property
    def chat(self) -> int:
        return self.person.id

    @property
    def in_quiz(self) -> bool:
        """In a quiz that is not over (the score not yet shown)."""
        view = self.view
        scored = view is not None and bool(view.verbs) and view.verbs <= {"menu", "retry"}
        return self.quiz is not None and not scored

    # the script ---------------------------------------------------------------------------

    def run(self, interactions: int | None = None) -> None:
        try:
            while interactions is None or self.actions < interactions:
                action = self._extra() if self.extras else None
                action = action or self._next()
                if action is None:
                    return
                self._perform(action)
        except Exception:  # reported with the figures
            self.error = traceback.format_exc()

    def _next(self) -> Action | None:
        view = self.view
        if view is None:
            return Action(texts=["/start"])
        verbs = view.verbs
        question = self.question
        if question is not None and self.quiz is not None:
            return self._answer(self.quiz, question, view)
        if "cont" in verbs:
            return self._press(view, "cont")
        if "lang" in verbs:
            return self._press(view, "lang", self.language)
        if "lesson" in verbs:
            for lesson in list(self.plan):
                if f"lesson:{lesson}" in view.buttons:
                    return self._press(view, "lesson", lesson)
            return None
        if "next" in verbs:
            return self._press(view, "next")
        if "quiz" in verbs:
            action = self._press(view, "quiz")
            quiz_id = action.presses[0].split(":")[-1]
            action.starts_quiz = self.library.quizzes.get((self.language, quiz_id))
            return action
        if self.quiz is not None and verbs and verbs <= {"menu", "retry"}:
            self.finished_quizzes += 1
            self.quiz = None
        if not self.plan and self.quiz is None:
            return None
        if "lessons" in verbs:
            return self._press(view, "lessons")
        return Action(texts=["/lessons"])

    def _answer(self, quiz: Quiz, question: Question, view: Delivery) -> Action:
        answer = (quiz.id, question.id)
        if question.type is QuestionType.SHORT:
            typed = question.accepted[0] if self.rng.random() < 0.5 else "no idea"
            return Action(texts=[typed], answer=answer)
        if question.type is QuestionType.MULTIPLE:
            if not self.ticked or (len(self.ticked) < 2 and self.rng.random() < 0.5):
                return self._press(view, "tick", str(self.rng.randrange(len(question.options))))
            action = self._press(view, "done")
            action.answer = answer
            return action
        picks = [data for data in view.buttons if data.startswith("pick:")]
        return Action(presses=[self.rng.choice(picks)], on=view, answer=answer)

    def _press(self, view: Delivery, verb: str, arg: str | None = None) -> Action:
        for data in view.buttons:
            parts = data.split(":")
            if parts[0] == verb and (arg is None or parts[-1] == arg):
                return Action(presses=[data], on=view)
        raise AssertionError(f"no {verb}:{arg} button among {view.buttons}")

    def _extra(self) -> Action | None:
        """Now and then: a claim, an old button pressed again, or a double tap."""
        roll = self.rng.random()
        short = self.question is not None and self.question.type is QuestionType.SHORT
        if self.view is None or "lang" in self.view.verbs:
            return None
        if roll < 0.15 and not short:
            claim = self.rng.choice(self.claims)
            if self.rng.random() < 0.3:
                claim = "Forwarded: " + claim + " " + self.rng.choice(NAUGHTY[:16])
            return Action(texts=[claim], keep_view=True)
        old = [
            (data, delivery)
            for delivery in self.history[:-1]
            for data in delivery.buttons
            if data.split(":")[0] in STATEFUL and delivery != self.view
        ]
        if roll < 0.21 and old:
            data, delivery = self.rng.choice(old)
            return Action(presses=[data], on=delivery, keep_view=True)
        if roll < 0.27:
            action = self._next()
            verb = action.presses[0].split(":")[0] if action and action.presses else ""
            if action is not None and verb in STATEFUL:
                action.presses.append(action.presses[0])  # pressed twice before the reply
            return action
        return None

    # doing and waiting --------------------------------------------------------------------

    def _perform(self, action: Action) -> None:
        if self.control is not None:
            self.control.gate.wait()
        time.sleep(self.rng.uniform(0, 0.02))
        epoch = self.control.epoch if self.control else 0
        self.waiting = True
        window = self._push(action)
        done = self._wait(window, epoch, action.starts_quiz or self.quiz)
        if done is None and self.control is not None:
            # No reply across a restart: press (or type) it again, as a person would.
            self.resent += 1
            window = self._push(action)
            done = self._wait(window, self.control.epoch, action.starts_quiz or self.quiz)
        self.waiting = False
        if done is None:
            self.unanswered += 1
            return
        self._absorb(action, done)

    def _push(self, action: Action) -> Window:
        if self.windows:
            self.windows[-1].end = self.api.delivered(self.chat)
        window = Window([], {}, self.api.delivered(self.chat))
        self.windows.append(window)
        self.actions += 1
        for typed in action.texts:
            window.update_ids.append(self.api.push_message(text_message(self.person, typed)))
        for data in action.presses:
            assert action.on is not None
            shown = self.api.message(self.chat, action.on.message_id)
            query = callback_query(self.person, data, shown)
            update_id = self.api.push_callback(query)
            window.update_ids.append(update_id)
            window.queries[update_id] = str(query["id"])
        return window

    def _wait(self, window: Window, epoch: int, quiz: Quiz | None) -> list[Delivery] | None:
        """The last message of each update's reply, or None when they did not all come."""
        deadline = time.monotonic() + self.timeout
        while True:
            done = self._finals(window, quiz)
            if done is not None:
                return done
            control = self.control
            if control is not None and control.epoch != epoch and control.gate.is_set():
                return None
            if time.monotonic() > deadline:
                return None
            self.api.wait_change(0.25)

    def _finals(self, window: Window, quiz: Quiz | None) -> list[Delivery] | None:
        news = self.api.deliveries(self.chat, window.start)
        if self.expect is None:
            # Each reply ends with a message that has buttons, or with a question (typed
            # answers have none); the quiz intro, sent before its first question, has neither.
            done = [
                delivery
                for delivery in news
                if delivery.buttons or self._question_in(delivery, quiz) is not None
            ]
            return done if len(done) >= len(window.update_ids) else None
        # The engine's own answer is known: wait for exactly those texts, in order.
        finals: list[Delivery] = []
        position = 0
        for update_id in window.update_ids:
            texts = self.expect(update_id)
            if texts is None:
                return None
            for piece in texts:
                while position < len(news) and news[position].text.strip() != piece:
                    position += 1
                if position == len(news):
                    return None
                position += 1
            if texts:
                finals.append(news[position - 1])
        return finals

    def _question_in(self, delivery: Delivery, quiz: Quiz | None) -> Question | None:
        if quiz is None or delivery.verbs & {"cont", "menu", "lessons"}:
            return None
        shown = visible_text(delivery.text)
        return next((q for q in quiz.questions if q.text.strip() in shown), None)

    def _absorb(self, action: Action, done: list[Delivery]) -> None:
        if not done:
            return
        if action.starts_quiz is not None:
            quiz = self.quiz = action.starts_quiz
            self.question = None
            self.plan = [lesson for lesson in self.plan if self._quiz_of(lesson) != quiz.id]
        first = done[0]
        if action.keep_view:
            self.history.extend(done)
            return
        self.history.append(first)
        quiz_step = self.quiz is not None and (
            action.answer is not None or "cont" in _verbs(action)
        )
        question = self._question_in(first, self.quiz)
        if "cont" in first.verbs:
            if action.answer is not None:
                self.acked.append(action.answer)
            self.question = None
            self._note_continued(True)
        elif question is not None:
            if self.question is None or question.id != self.question.id:
                self.ticked = set()
            if action.presses and action.presses[0].startswith("tick:"):
                self.ticked ^= {int(action.presses[0].split(":")[-1])}
            self.question = question
            self._note_continued(True)
        elif quiz_step and first.verbs <= {"menu", "retry"} and first.verbs:
            self._note_continued(True)  # the score: the quiz ended as it should
        elif quiz_step or (self.quiz is not None and self.question is not None):
            # Expected the next step of the quiz, got something else (the menu of a stale
            # button): this quiz cannot be continued; move on to the next lesson.
            self.stranded += 1
            self._note_continued(False)
            self.quiz, self.question, self.ticked = None, None, set()
        self.view = first

    def _note_continued(self, ok: bool) -> None:
        if self.kill_epoch is None or self.control is None:
            return
        if self.control.epoch > self.kill_epoch:
            self.continued += ok
            self.kill_epoch = None

    def _quiz_of(self, lesson: str) -> str | None:
        quiz = self.library.quiz_for_lesson(self.language, lesson)
        return quiz.id if quiz else None


def _verbs(action: Action) -> set[str]:
    return {data.split(":")[0] for data in action.presses}


def script_errors(report: Report, part: str, learners: Sequence[Learner]) -> None:
    """A learner whose script broke is a failed measurement, not a figure about the bot."""
    errors = [learner.error for learner in learners if learner.error is not None]
    report.add(
        f"{part}.script_errors", "learner scripts that broke", len(errors), must_be_zero=True
    )
    report.findings.extend(f"{part}: a learner's script broke\n{error}" for error in errors[:3])


def run_learners(learners: Sequence[Learner], interactions: int | None) -> list[threading.Thread]:
    threads = [
        threading.Thread(target=learner.run, args=(interactions,), daemon=True)
        for learner in learners
    ]
    for thread in threads:
        thread.start()
    return threads


def join(threads: Sequence[threading.Thread], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    alive = sum(thread.is_alive() for thread in threads)
    if alive:
        raise TimeoutError(f"{alive} learners did not finish within {timeout:.0f}s")


@dataclass(frozen=True)
class StoredAnswers:
    rows: int
    missing: int
    duplicated: int
    examples: list[str]


def check_answers(database_url: str, learners: Sequence[Learner], secret: bytes) -> StoredAnswers:
    """Every acknowledged answer is in the database exactly once."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT u.key, a.quiz_id, a.question_id, a.attempt_id FROM answers a "
                "JOIN users u ON u.id = a.user_id"
            )
        ).all()
    engine.dispose()
    per_attempt = Counter((str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows)
    attempts: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    for key, quiz, question, attempt in per_attempt:
        attempts[(key, quiz, question)].add(attempt)
    duplicated = sum(count - 1 for count in per_attempt.values())
    missing = 0
    examples: list[str] = []
    for learner in learners:
        key = user_key(secret, "telegram", learner.person.id)
        for quiz, question in learner.acked:
            found = attempts.get((key, quiz, question), set())
            if not found:
                missing += 1
                examples.append(f"acknowledged but not stored: {quiz}/{question} of {key[:12]}")
            elif len(found) > 1:
                duplicated += len(found) - 1
                examples.append(f"stored in {len(found)} attempts: {quiz}/{question} of {key[:12]}")
    return StoredAnswers(len(rows), missing, duplicated, examples[:8])


# ---------------------------------------------------------------------------------------------
# 2. Faults
# ---------------------------------------------------------------------------------------------


class ObservedEngine(Recording):
    """The real engine, with what it answered to each Telegram update kept for the tally."""

    def __init__(self, inner: Engine) -> None:
        super().__init__(inner)
        self.handled: dict[str, list[list[Reply]]] = defaultdict(list)

    def handle(self, incoming: Incoming) -> list[Reply]:
        replies = super().handle(incoming)
        with self._lock:
            self.handled[incoming.event_id or ""].append(replies)
        return replies

    def expected(self, update_id: int) -> list[str] | None:
        """The texts the engine's answer to this update renders to; None until it answered."""
        with self._lock:
            handled = self.handled.get(f"tg:{update_id}")
        if not handled:
            return None
        return expected_texts(next((replies for replies in handled if replies), []))


def expected_texts(replies: Sequence[Reply]) -> list[str]:
    """The message texts the renderer sends (or edits in) for these replies."""
    texts: list[str] = []
    for reply in replies:
        body = reply.text.strip()
        if not body:
            continue
        files = reply.image or reply.attachment
        if files and visible_length(body) <= CAPTION_CHARS:
            texts.append(body)
        else:
            texts.extend(piece.strip() for piece in split_html(body, MESSAGE_CHARS))
    return texts


def run_faults(
    learners_count: int,
    interactions: int,
    seed: int,
    content: Content,
    workdir: Path,
    report: Report,
) -> None:
    started = time.monotonic()
    rng = random.Random(seed)
    path = workdir / "faults.sqlite3"
    database = open_database(path)
    engine = Engine(Store(database), content, limits=LimitsSettings(burst=10**9))
    observed = ObservedEngine(engine)
    people = [
        Person(610_000_000 + n, f"L{n}", "ru" if n % 3 == 2 else "en")
        for n in range(learners_count)
    ]
    with (
        tapped(level=logging.WARNING) as tap,
        ObservedApi(seed=seed, fault_rate=FAULT_RATE) as api,
        RunningBot(api, observed, concurrency=8),
    ):
        learners = [
            Learner(
                api,
                person,
                content.library,
                random.Random(rng.random()),
                lessons=3,
                extras=True,
                expect=observed.expected,
            )
            for person in people
        ]
        join(run_learners(learners, interactions), timeout=240)
        api.wait_idle(quiet=0.5, timeout=30)
    database.dispose()
    script_errors(report, "faults", learners)
    tally = _tally(api, observed, learners)
    stored = check_answers(f"sqlite:///{path}", learners, SECRET_KEY)
    acked = sum(len(learner.acked) for learner in learners)
    report.add("faults.sent", "updates sent", tally["sent"])
    report.add("faults.processed", "updates processed", tally["processed"])
    for kind in FAULT_KINDS:
        report.add(f"faults.injected_{kind}", f"faults injected: {kind}", api.injected[kind])
    report.add("faults.lost", "replies lost", tally["lost"], must_be_zero=True)
    report.add("faults.duplicated", "replies duplicated", tally["duplicated"], must_be_zero=True)
    report.add("faults.crashes", "engine failures", engine.failures, must_be_zero=True)
    report.add("faults.acknowledged", "answers acknowledged", acked)
    report.add("faults.stored", "answers in the database", stored.rows)
    report.add(
        "faults.answers_missing", "acknowledged answers missing", stored.missing, must_be_zero=True
    )
    report.add(
        "faults.answers_duplicated", "answers stored twice", stored.duplicated, must_be_zero=True
    )
    report.findings.extend(f"faults: {line}" for line in tally_examples(tally) + stored.examples)
    report.findings.extend(f"faults: logged {count} x {line}" for line, count in tap.errors.items())
    report.seconds["faults"] = time.monotonic() - started


def _tally(api: ObservedApi, engine: ObservedEngine, learners: Sequence[Learner]) -> dict[str, Any]:
    sent = processed = lost = duplicated = 0
    examples: list[str] = []
    for learner in learners:
        chat = api.deliveries(learner.chat)
        for window in learner.windows:
            end = window.end if window.end >= 0 else len(chat)
            delivered = Counter(delivery.text.strip() for delivery in chat[window.start : end])
            for update_id in window.update_ids:
                sent += 1
                handled = engine.handled.get(f"tg:{update_id}", [])
                if not handled:
                    lost += 1
                    examples.append(f"update {update_id} never reached the engine")
                    continue
                processed += 1
                answered = [replies for replies in handled if replies]
                if len(answered) > 1:
                    duplicated += 1
                    examples.append(f"update {update_id} was answered {len(answered)} times")
                missing = 0
                for piece in expected_texts(answered[0] if answered else []):
                    if delivered[piece] > 0:
                        delivered[piece] -= 1
                    else:
                        missing += 1
                query = window.queries.get(update_id)
                unanswered = query is not None and api.notice(query) is None
                if missing or unanswered:
                    lost += 1
                    what = "the button press was not answered" if unanswered else ""
                    what = f"{missing} message(s) not delivered" if missing else what
                    examples.append(f"update {update_id}: {what}")
            surplus = sum(count for count in delivered.values() if count > 0)
            if surplus:
                duplicated += surplus
                examples.append(f"chat {learner.chat}: {surplus} message(s) delivered twice")
    return {
        "sent": sent,
        "processed": processed,
        "lost": lost,
        "duplicated": duplicated,
        "examples": examples[:8],
    }


def tally_examples(tally: dict[str, Any]) -> list[str]:
    return [str(line) for line in tally["examples"]]


# ---------------------------------------------------------------------------------------------
# 3. Kill -9
# ---------------------------------------------------------------------------------------------

KILL_SECRET = "reliability-bench-pseudonym-key-0123456789"
REDELIVER_SECONDS = 1.0  # at a kill, updates fetched this recently come again


class BotProcess:
    """`python -m bot run` as a separate process, logging to a file."""

    def __init__(self, config: Path, data: Path, log: Path) -> None:
        self.command = [sys.executable, "-m", "bot", "run", "--config", str(config)]
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(data),
            "XDG_DATA_HOME": str(data / "xdg"),
            "CIVICBOT_TELEGRAM_TOKEN": TOKEN,
            "CIVICBOT_SECRET_KEY": KILL_SECRET,
            "PYTHONPATH": str(ROOT),
        }
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, api: ObservedApi) -> None:
        polls = api.polls
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=log, stderr=log
            )
        self.starts += 1
        try:
            api.wait_polls(polls, timeout=60)
        except TimeoutError:
            raise RuntimeError(f"the bot did not start; see {self.log}") from None

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def abandon(self) -> None:
        """Kill the bot if it is still running (the run broke off)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(30)

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(30)
            return -9


def run_kill(
    learners_count: int,
    quizzes: int,
    kills: int,
    seed: int,
    content: Content,
    workdir: Path,
    report: Report,
) -> None:
    started = time.monotonic()
    rng = random.Random(seed)
    folder = workdir / "kill"
    folder.mkdir()
    database = folder / "civicbot.sqlite3"
    control = Control()
    people = [
        Person(720_000_000 + n, f"K{n}", "ru" if n % 4 == 3 else "en")
        for n in range(learners_count)
    ]
    mid_quiz = waiting = requeued = 0
    moments: list[tuple[float, dt.datetime]] = []  # each kill, by both clocks
    with ObservedApi(seed=seed) as api:
        config = folder / "civicbot.yaml"
        config.write_text(
            f"telegram:\n  base_url: {api.base_url}\n  base_file_url: {api.base_file_url}\n"
            f"database:\n  url: sqlite:///{database}\n"
            "limits:\n  burst: 1000000\n  per_minute: 1000000.0\n",
            encoding="utf-8",
        )
        bot = BotProcess(config, folder, folder / "bot.log")
        try:
            bot.start(api)
            control.gate.set()
            learners = [
                Learner(
                    api,
                    person,
                    content.library,
                    random.Random(rng.random()),
                    lessons=quizzes,
                    control=control,
                    timeout=60,
                )
                for person in people
            ]
            expected = _expected_answers(learners, content.library)
            threads = run_learners(learners, None)
            for number in range(1, kills + 1):
                target = expected * number / (kills + 1)
                while sum(len(learner.acked) for learner in learners) < target:
                    if not any(thread.is_alive() for thread in threads):
                        break
                    time.sleep(0.01)
                time.sleep(rng.uniform(0, 0.2))
                control.gate.clear()
                for learner in learners:
                    if learner.in_quiz and learner.kill_epoch is None:
                        learner.kill_epoch = control.epoch
                        mid_quiz += 1
                        waiting += learner.waiting
                moments.append((time.monotonic(), dt.datetime.now(dt.UTC)))
                bot.kill()
                requeued += api.redeliver(since=moments[-1][0] - REDELIVER_SECONDS)
                bot.start(api)
                _catch_up(api)
                control.epoch += 1
                control.gate.set()
            join(threads, timeout=300)
            api.wait_idle(quiet=0.5, timeout=30)
            code = bot.stop()
        finally:
            bot.abandon()
    script_errors(report, "kill", learners)
    stored = check_answers(f"sqlite:///{database}", learners, KILL_SECRET.encode())
    unhandled, redelivered = _deliveries(api, f"sqlite:///{database}", learners, moments)
    log = (folder / "bot.log").read_text(encoding="utf-8", errors="replace")
    errors = [line for line in log.splitlines() if " ERROR " in line or "Traceback" in line]
    acked = sum(len(learner.acked) for learner in learners)
    continued = sum(learner.continued for learner in learners)
    resent = sum(learner.resent for learner in learners)
    unanswered = sum(learner.unanswered for learner in learners)
    report.add("kill.kills", "SIGKILLs", kills)
    report.add("kill.acknowledged", "answers acknowledged", acked)
    report.add("kill.stored", "answers in the database", stored.rows)
    report.add("kill.unacknowledged", "  stored, never acknowledged", stored.rows - acked)
    report.add("kill.missing", "acknowledged answers missing", stored.missing, must_be_zero=True)
    report.add("kill.duplicated", "answers duplicated", stored.duplicated, must_be_zero=True)
    report.add("kill.mid_quiz", "learners in a quiz at a kill", mid_quiz)
    report.add("kill.waiting", "  of whom waiting for a reply", waiting)
    report.add(
        "kill.not_continued",
        "  of whom could not continue the quiz",
        mid_quiz - continued,
        must_be_zero=True,
    )
    report.add("kill.requeued", "updates re-delivered after a kill", requeued)
    report.add("kill.redelivered", "  of which handled before the kill", redelivered)
    report.add("kill.unhandled", "updates fetched but never handled (lost at a kill)", unhandled)
    report.add("kill.resent", "actions sent again after a restart", resent)
    report.add("kill.unanswered", "actions never answered", unanswered, must_be_zero=True)
    report.add("kill.errors", "errors logged by the bot", len(errors), must_be_zero=True)
    report.add("kill.exit", "exit status after SIGTERM", code, must_be_zero=True)
    report.findings.extend(f"kill: {line}" for line in stored.examples + errors[:8])
    report.seconds["kill"] = time.monotonic() - started


def _deliveries(
    api: ObservedApi,
    database_url: str,
    learners: Sequence[Learner],
    moments: Sequence[tuple[float, dt.datetime]],
) -> tuple[int, int]:
    """How many updates no process ever handled, and how many were handled before a kill and
    fetched again after it (Telegram re-delivering what the killed process had not confirmed;
    the engine must ignore them)."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT event_id, processed_at FROM processed_events"))
        handled = {str(row[0]): _utc(row[1]) for row in rows}
    engine.dispose()
    fetched: dict[int, list[float]] = defaultdict(list)
    for call in api.calls("getUpdates"):
        for update in (call.result or []) if call.ok else []:
            fetched[int(update["update_id"])].append(call.at)
    pushed = [update for learner in learners for w in learner.windows for update in w.update_ids]
    unhandled = sum(f"tg:{update}" not in handled for update in pushed)
    redelivered = 0
    for update in pushed:
        at = handled.get(f"tg:{update}")
        if at is not None and any(
            at < wall and any(polled > moment for polled in fetched[update])
            for moment, wall in moments
        ):
            redelivered += 1
    return unhandled, redelivered


def _utc(value: Any) -> dt.datetime:
    stamp = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return stamp.replace(tzinfo=dt.UTC)


def _expected_answers(learners: Sequence[Learner], library: Library) -> int:
    total = 0
    for learner in learners:
        for lesson in learner.plan:
            quiz = library.quiz_for_lesson(learner.language, lesson)
            total += len(quiz.questions) if quiz else 0
    return total


def _catch_up(api: ObservedApi) -> None:
    """Wait until the restarted bot fetched everything queued and went quiet."""
    deadline = time.monotonic() + 60
    while api.confirmed_offset <= api.last_update_id:
        if time.monotonic() > deadline:
            raise TimeoutError("the restarted bot did not fetch the queued updates")
        time.sleep(0.05)
    api.wait_idle(quiet=1.0, timeout=60)


# ---------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="smaller numbers (about a minute)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--only", default="hostile,faults,kill", help="parts to run")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    scale = QUICK if args.quick else FULL
    parts = {part.strip() for part in args.only.split(",")}
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    report = Report()
    started = time.monotonic()
    content = load_content()
    with tempfile.TemporaryDirectory(prefix="civicbot-reliability-") as temp:
        workdir = Path(temp)
        if "hostile" in parts:
            run_hostile(scale.hostile_inputs, args.seed, content, workdir, report)
        if "faults" in parts:
            run_faults(
                scale.fault_learners,
                scale.fault_interactions,
                args.seed,
                content,
                workdir,
                report,
            )
        if "kill" in parts:
            run_kill(
                scale.kill_learners,
                scale.kill_quizzes,
                scale.kills,
                args.seed,
                content,
                workdir,
                report,
            )
    report.seconds["total"] = time.monotonic() - started
    print_report(report, args.quick, args.seed)
    if args.json:
        args.json.write_text(json.dumps(as_json(report), indent=2), encoding="utf-8")
    return 1 if report.bad else 0


PARTS = {
    "hostile": "1. hostile input (engine and Telegram renderer)",
    "faults": "2. Telegram faults: 429, 500, dropped connections (polling, fake Bot API)",
    "kill": "3. kill -9 mid-run and restart (python -m bot run, SQLite)",
}


def print_report(report: Report, quick: bool, seed: int) -> None:
    for finding in report.findings:
        print(finding)
    print()
    print(f"civicbot reliability ({'quick' if quick else 'full'} run, seed {seed})")
    width = max((len(figure.label) for figure in report.figures), default=20)
    part = ""
    for figure in report.figures:
        if figure.key.split(".")[0] != part:
            part = figure.key.split(".")[0]
            print(f" {PARTS[part]}")
        mark = "  <-- must be 0" if figure.bad else ""
        print(f"  {figure.label:<{width}}  {figure.value:>7}{mark}")
    timing = ", ".join(f"{name} {seconds:.0f}s" for name, seconds in report.seconds.items())
    print(f"  time: {timing}")
    print("  result:", "FAIL" if report.bad else "ok")


def as_json(report: Report) -> dict[str, Any]:
    return {
        "figures": {figure.key: figure.value for figure in report.figures},
        "bad": [figure.key for figure in report.bad],
        "seconds": report.seconds,
        "findings": report.findings,
    }


if __name__ == "__main__":
    sys.exit(main())
