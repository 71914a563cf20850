"""Load benchmark: simulated Telegram users against four bots, through the loopback Bot API.

What is measured, and why
-------------------------
Issue 8 asks whether civicbot can grow from one process on SQLite to several webhook workers on
PostgreSQL without losing, doubling or reordering anything, and what that costs next to the
lightest possible bot. One run measures four setups on the same terms:

  (a) a minimal python-telegram-bot echo bot (below): replies to every message with its text,
      answers every button press and sends "pressed <data>";
  (b) civicbot on SQLite, one process;
  (c) civicbot on PostgreSQL, one worker;
  (d) civicbot on PostgreSQL, two workers (`civicbot run --webhook --workers 2`).

Every setup is fed by webhook: the benchmark plays Telegram, POSTing each update with the secret
header over a pool of keep-alive connections (40 by default, Telegram's default
`max_connections`); each bot answers 200 only after the update is handled. Replies go to the
fake Bot API of the test suite (tests/fakebotapi) on loopback, which records every call. The
outgoing request limiter is off in every bot (civicbot: telegram.overall_per_second 0; the echo
bot has none) and the per-person inbound limit is raised (limits.burst 100000), because
simulated users are far faster than people.

Each simulated user follows a seeded plan of interactions: lessons (/lessons, open a lesson,
turn its cards, take its quiz answering by pressing the buttons of the bot's last message, or
typing short answers), claims (bundled fact-check claims the matcher answers, and unmatched
texts sent on to the editors) and /progress now and then. A user sends its next update only
after the previous one was answered, many users at once. The echo bot gets the same sequence of
messages and button presses (its presses carry the verb and argument as data).

Per setup it reports:
  updates/s    updates handled / wall time of the run (all users, first POST to last answer);
  p50/p95      reply latency: webhook POST sent -> the update's last reply seen at the fake;
  errors       webhook attempts that failed (non-200, reset, timeout; re-sent like Telegram),
               calls the fake refused, apologies ("something went wrong"), "stale button"
               replies (the bot saw a state other than the one the user saw), "send the claim
               again" replies (the bot no longer held a claim the user asked to send to the
               editors), plan steps whose button was missing from the bot's last message;
  lost         updates after which no message was sent or edited;
  duplicated   identical replies sent twice for one update, plus replies produced when a
               sample of already handled updates is re-delivered (twice each, concurrently),
               as Telegram does when it misses a 200;
  order        per-chat order violations: a reply that reached the fake outside its update's
               window (after the 200, or while the next update was in flight), or a button
               tag (the per-user step counter in stateful buttons) going backwards;
  ratios       each civicbot figure divided by the echo bot's in the same run;
  CPU          per update, from /proc: the bench process (fake Bot API + simulated users),
               the bot's processes, PostgreSQL, and the rest of the machine (kernel, other
               people's work: the machine is shared, so its load before each setup is shown);
  database     for the civicbot setups, rows in answers, lesson_progress, check_events,
               queued_claims, feedback and users against what the simulated users did.

Before the setups it measures the fake's own ceiling (sendMessage hammered from another
process), so a reader can tell whether the harness, not the bot, limits a figure.

With --profile it also says where each bot's CPU goes during the timed run: the CPU of
`Engine.handle`, of the SQLAlchemy calls inside it and of the progress charts, read from the
threads' own CPU clocks, and the rest of the process's CPU sampled by what the stack is doing
(Bot API calls, webhook, database, ...). The samplers slow the bots a little: take the headline
figures from a run without it.

    .venv/bin/python bench/load.py [--users 1000] [--interactions 20] [--quick] [--profile]
                                   [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.testing.fakebotapi import TOKEN, FakeBotApi, Person, callback_query, text_message  # noqa: E402
from bot.transports.telegram import SECRET_HEADER  # noqa: E402
from bot.testing.postgres import postgres_problem, private_schema  # noqa: E402

WEBHOOK_SECRET = "bench_webhook-secret-0123456789"
SECRET_KEY = "bench-pseudonym-key-0123456789abcdef0123456789"
HOOK_PATH = "/hook"
FIRST_CHAT = 710_000_000
HAMMER_CHAT = 42
CONNECTIONS = 40  # Telegram's default webhook max_connections
CONCURRENCY = 8  # updates handled at once per process, civicbot's default, for the echo bot too
POST_TIMEOUT = 60.0
POST_ATTEMPTS = 6
READY_SECONDS = 90.0
STOP_SECONDS = 40.0
QUIET_SECONDS = 1.0  # after the run, how long to wait for late replies
MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
    }
)
STATEFUL = frozenset(
    {"next", "back", "pick", "tick", "done", "cont", "retry", "rate", "erase", "notify", "bcast"}
)
COUNTED_TABLES = (
    "answers",
    "lesson_progress",
    "check_events",
    "queued_claims",
    "feedback",
    "users",
)


# -- HTTP: a small keep-alive client, enough to play Telegram ------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1:port (opened on first use)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        """The response status; raises OSError (or TimeoutError) when the exchange failed."""
        try:
            return await asyncio.wait_for(self._post(path, body, headers), timeout)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError):
            self.close()
            raise

    async def _post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self._reader, self._writer
        lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        lines += [f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionResetError("closed by the server")
        status = int(status_line.split()[1])
        length, close = 0, False
        while True:
            line = await reader.readline()
            if not line.strip():
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                close = True
            elif name == "transfer-encoding":
                raise ValueError("chunked answers are not expected here")
        if length:
            await reader.readexactly(length)
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader, self._writer = None, None


@dataclass
class Delivery:
    """How one update got to the bot: when it was first sent, when the 200 came, failures."""

    start: float
    end: float
    status: int
    failures: int


class Telegram:
    """Posts updates to the webhook over a fixed pool of connections; re-sends an update whose
    POST failed (non-200, reset, timeout), as Telegram does.

    A freed connection goes to the update that has waited longest, so which connection (and so
    which worker) carries a user's next update is left to chance, as with Telegram; a user is
    never pinned to the worker that served it last."""

    def __init__(self, port: int, connections: int) -> None:
        self.port = port
        self._all = [Connection(port) for _ in range(connections)]
        self._free: deque[Connection] = deque(self._all)
        self._waiting: deque[asyncio.Future[Connection]] = deque()
        self.headers = {"Content-Type": "application/json", SECRET_HEADER: WEBHOOK_SECRET}

    async def _acquire(self) -> Connection:
        if self._free and not self._waiting:
            return self._free.popleft()
        waiter: asyncio.Future[Connection] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        return await waiter

    def _release(self, connection: Connection) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        self._free.append(connection)

    async def deliver(self, update: dict[str, Any]) -> Delivery:
        body = json.dumps(update).encode()
        start: float | None = None
        failures, status = 0, 0
        for attempt in range(POST_ATTEMPTS):
            connection = await self._acquire()
            if start is None:
                start = time.monotonic()
            try:
                status = await connection.post(HOOK_PATH, body, self.headers, POST_TIMEOUT)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError):
                status = 0
            finally:
                self._release(connection)
            if status == 200:
                break
            failures += 1
            await asyncio.sleep(min(2.0, 0.1 * 2**attempt))
        assert start is not None
        return Delivery(start, time.monotonic(), status, failures)

    def close(self) -> None:
        for connection in self._all:
            connection.close()


# -- the fake Bot API, indexed by chat -------------------------------------------------------


@dataclass
class Seen:
    """One call the bot made, as the fake answered it; `at` is when it arrived."""

    method: str
    params: dict[str, Any]
    at: float
    status: int
    result: Any

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def message(self) -> dict[str, Any] | None:
        """The message the call created or edited, when it succeeded."""
        if self.ok and self.method in MESSAGE_METHODS and isinstance(self.result, dict):
            return self.result
        return None

    def signature(self) -> str:
        keep = {k: v for k, v in self.params.items() if k not in ("photo", "document")}
        return self.method + json.dumps(keep, sort_keys=True, default=str)


class BenchFake(FakeBotApi):
    """The test suite's fake Bot API, plus each chat's calls in arrival order (the suite's
    `calls()` scans every call, too slow for tens of thousands)."""

    def __init__(self) -> None:
        super().__init__()
        self._by_chat: defaultdict[int, list[Seen]] = defaultdict(list)
        self._query_chats: dict[str, int] = {}
        self._index = threading.Lock()

    def __enter__(self) -> BenchFake:
        super().__enter__()
        return self

    def open_callback(self, query: dict[str, Any]) -> None:
        """Make a button press known, as Telegram would before delivering it."""
        with self._cond:
            self._state.open_callbacks.add(query["id"])
        with self._index:
            self._query_chats[query["id"]] = int(query["message"]["chat"]["id"])

    def handle(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, Any] | None:
        at = time.monotonic()
        answer = super().handle(token, method, params)
        chat = params.get("chat_id")
        with self._index:
            if chat is None and method == "answerCallbackQuery":
                chat = self._query_chats.get(str(params.get("callback_query_id")))
            if isinstance(chat, int | str) and str(chat).lstrip("-").isdigit():
                status, body = answer if answer is not None else (0, None)
                result = body.get("result") if isinstance(body, dict) else None
                self._by_chat[int(chat)].append(Seen(method, params, at, status, result))
        return answer

    def chat_calls(self, chat: int, start: int = 0, stop: int | None = None) -> list[Seen]:
        with self._index:
            return list(self._by_chat.get(chat, [])[start:stop])

    def chat_lengths(self) -> dict[int, int]:
        with self._index:
            return {chat: len(calls) for chat, calls in self._by_chat.items()}

    def all_chat_calls(self) -> list[Seen]:
        with self._index:
            return [seen for calls in self._by_chat.values() for seen in calls]


# -- what the simulated users do ------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One interaction: a text message, or a press of a button (verb and argument) of the bot's
    last message. The flags say what the step leaves in the database."""

    text: str = ""
    verb: str = ""
    arg: str | None = None
    answer: bool = False
    lesson: str | None = None
    check: bool = False
    queue: bool = False
    feedback: bool = False

    @property
    def press(self) -> bool:
        return bool(self.verb)

    def echo_data(self) -> str:
        return f"{self.verb}:{self.arg}" if self.arg else self.verb


@dataclass(frozen=True)
class QuestionPlan:
    kind: str
    options: int
    accepted: str


@dataclass(frozen=True)
class LessonPlan:
    id: str
    cards: int
    quiz: str | None
    questions: tuple[QuestionPlan, ...]


@dataclass(frozen=True)
class Material:
    """The bundled library as plans need it, with claims sorted by what the matcher makes of
    them (so a plan's buttons are the ones the bot will show)."""

    lessons: tuple[LessonPlan, ...]
    matched: tuple[tuple[str, str], ...]  # (claim, fact-check id) answered outright
    unmatched: tuple[str, ...]  # texts the bot offers to send to the editors
    stale: str
    internal: str
    send_again: str  # the bot no longer holds the claim the user wants sent to the editors
    sample_reply: str  # a typical HTML reply, for the fake's ceiling


def load_material() -> Material:
    from bot.config import Settings, bundled_content
    from bot.engine.content import Content
    from bot.engine.context import FixedVoice
    from bot.engine.factcheck import render_factcheck
    from bot.library.loader import load_library_or_raise
    from bot.matching import Tier

    library = load_library_or_raise(bundled_content())
    content = Content.build(library, "en", Settings().matching.thresholds)
    lessons = []
    for lesson in library.lessons_in("en"):
        quiz = library.quiz_for_lesson("en", lesson.id)
        questions = tuple(
            QuestionPlan(q.type.value, len(q.options), (q.accepted or ("no idea",))[0])
            for q in (quiz.questions if quiz else ())
        )
        lessons.append(
            LessonPlan(lesson.id, len(lesson.cards), quiz.id if quiz else None, questions)
        )

    def answered(text: str) -> str | None:
        result = content.matcher.match(text, top=3, language="en")
        found = [
            fc
            for m in result.matches
            if (fc := library.factchecks.get((m.language, m.document_id))) is not None
        ]
        return found[0].id if result.tier is Tier.ANSWER and found else None

    matched = []
    for fc in sorted(library.factchecks.values(), key=lambda f: f.id):
        if fc.language == "en" and (found := answered(fc.claim)) is not None:
            matched.append((fc.claim, found))
    rng = random.Random(5)
    who = ["My neighbour", "The baker on our street", "A colleague", "Our football coach"]
    what = [
        "says the swimming pool will open an hour later on Tuesdays",
        "painted the garden fence green again this spring",
        "won the village pie contest with a rhubarb tart",
        "adopted a third cat called Biscuit",
        "is moving the flea market to the car park",
        "found an old tram ticket in the attic",
    ]
    candidates = {f"{rng.choice(who)} {rng.choice(what)}, number {n}" for n in range(300)}
    unmatched = [text for text in sorted(candidates) if answered(text) is None]
    first = library.factchecks[("en", matched[0][1])] if matched else None
    sample = render_factcheck(FixedVoice(content, "en"), first) if first else "<b>Hi</b> there"
    return Material(
        tuple(lessons),
        tuple(matched),
        tuple(unmatched),
        content.texts.render("en", "errors.stale").strip(),
        content.texts.render("en", "errors.internal").strip(),
        content.texts.render("en", "check.send_again").strip(),
        sample,
    )


def _answer_steps(question: QuestionPlan, rng: random.Random) -> list[Step]:
    if question.kind == "short":
        typed = question.accepted if rng.random() < 0.6 else "I am not sure"
        return [Step(text=typed, answer=True)]
    if question.kind == "truefalse":
        return [Step(verb="pick", arg=rng.choice("01"), answer=True)]
    if question.kind == "multiple":
        ticked = rng.sample(range(question.options), k=min(question.options, rng.randint(1, 2)))
        return [*(Step(verb="tick", arg=str(i)) for i in ticked), Step(verb="done", answer=True)]
    return [Step(verb="pick", arg=str(rng.randrange(question.options)), answer=True)]


def _lesson_steps(lesson: LessonPlan, rng: random.Random) -> list[Step]:
    steps = [Step(text="/lessons"), Step(verb="lesson", arg=lesson.id, lesson=lesson.id)]
    steps += [Step(verb="next", arg=str(card)) for card in range(1, lesson.cards)]
    if lesson.quiz is None:
        return steps
    steps.append(Step(verb="quiz", arg=lesson.quiz))
    # End on an answer, not on a shown question: a short-answer question left open would take
    # the next claim as its answer.
    for number, question in enumerate(lesson.questions[: rng.randint(2, 4)]):
        if number:
            steps.append(Step(verb="cont"))
        steps += _answer_steps(question, rng)
    return steps


def make_plans(material: Material, users: int, interactions: int, seed: int) -> list[list[Step]]:
    rng = random.Random(seed)
    plans = []
    for _ in range(users):
        plan: list[Step] = []
        sent = 0
        while len(plan) < interactions:
            roll = rng.random()
            if roll < 0.45:
                plan += _lesson_steps(rng.choice(material.lessons), rng)
            elif roll < 0.7:
                claim, fc_id = rng.choice(material.matched)
                plan.append(Step(text=claim, check=True))
                if rng.random() < 0.5:
                    plan.append(Step(verb="fb", arg=f"y-{fc_id}", feedback=True))
            elif roll < 0.92:
                plan.append(Step(text=rng.choice(material.unmatched), check=True))
                if sent < 5 and rng.random() < 0.6:  # 5: limits.queued_claims_per_day
                    plan += [Step(verb="send", queue=True), Step(verb="notify", arg="n")]
                    sent += 1
            else:
                plan.append(Step(text="/progress"))
        plans.append(plan[:interactions])
    return plans


@dataclass
class Outcome:
    step: Step
    update: dict[str, Any]
    delivery: Delivery


@dataclass
class SimUser:
    index: int
    plan: list[Step]
    outcomes: list[Outcome] = field(default_factory=list)
    missing_buttons: int = 0
    cursor: int = 0  # calls of this chat already looked at
    last_message: int | None = None
    keyboard: tuple[int, list[list[dict[str, Any]]]] | None = None

    @property
    def person(self) -> Person:
        return Person(FIRST_CHAT + self.index, f"User{self.index}", "en")

    @property
    def chat(self) -> int:
        return FIRST_CHAT + self.index


class Simulation:
    """Runs every user's plan against one bot."""

    def __init__(self, fake: BenchFake, telegram: Telegram, *, echo: bool) -> None:
        self.fake = fake
        self.telegram = telegram
        self.echo = echo
        self._update_ids = itertools.count(1)

    def _update(self, user: SimUser, step: Step) -> dict[str, Any] | None:
        person = user.person
        if not step.press:
            return {"update_id": next(self._update_ids), "message": text_message(person, step.text)}
        data: str | None
        if self.echo:
            data, message_id = step.echo_data(), user.last_message
        else:
            data, message_id = self._button(user, step)
        if data is None or message_id is None:
            return None
        query = callback_query(person, data, self.fake.message(user.chat, message_id))
        self.fake.open_callback(query)
        return {"update_id": next(self._update_ids), "callback_query": query}

    @staticmethod
    def _button(user: SimUser, step: Step) -> tuple[str | None, int | None]:
        if user.keyboard is None:
            return None, None
        message_id, rows = user.keyboard
        for row in rows:
            for button in row:
                data = str(button.get("callback_data", ""))
                parts = data.split(":")
                if parts[0] == step.verb and (step.arg is None or parts[-1] == step.arg):
                    return data, message_id
        return None, None

    def _absorb(self, user: SimUser) -> None:
        """Look at the bot's new calls in this chat: its last message and last keyboard."""
        calls = self.fake.chat_calls(user.chat, user.cursor)
        user.cursor += len(calls)
        for seen in calls:
            message = seen.message
            if message is None or "message_id" not in message:
                continue
            user.last_message = int(message["message_id"])
            markup = message.get("reply_markup")
            if isinstance(markup, dict) and markup.get("inline_keyboard"):
                user.keyboard = (user.last_message, markup["inline_keyboard"])

    async def run_user(self, user: SimUser) -> None:
        self.fake.add_chat(user.person.chat())
        for step in user.plan:
            update = self._update(user, step)
            if update is None:
                user.missing_buttons += 1
                continue
            delivery = await self.telegram.deliver(update)
            user.outcomes.append(Outcome(step, update, delivery))
            self._absorb(user)


# -- judging what happened ------------------------------------------------------------------


@dataclass
class Verdict:
    latencies: list[float] = field(default_factory=list)
    webhook_failures: int = 0
    undelivered: int = 0
    refused: int = 0
    apologies: int = 0
    stale: int = 0
    send_again: int = 0
    unexpected: int = 0
    missing_buttons: int = 0
    lost: int = 0
    duplicated: int = 0
    late: int = 0
    tag_backwards: int = 0

    @property
    def errors(self) -> int:
        return (
            self.webhook_failures
            + self.refused
            + self.apologies
            + self.stale
            + self.send_again
            + self.unexpected
            + self.missing_buttons
        )

    @property
    def order(self) -> int:
        return self.late + self.tag_backwards


def _reply_text(seen: Seen) -> str:
    return str(seen.params.get("text") or seen.params.get("caption") or "").strip()


def _tag(message: dict[str, Any]) -> int | None:
    """The button tag (user step counter) carried by a message's stateful buttons."""
    markup = message.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            parts = str(button.get("callback_data", "")).split(":")
            if parts[0] in STATEFUL and len(parts) > 1 and parts[1].isdigit():
                return int(parts[1])
    return None


def judge(
    users: Sequence[SimUser],
    fake: BenchFake,
    material: Material,
    *,
    echo: bool,
    upto: dict[int, int],
) -> Verdict:
    verdict = Verdict()
    for user in users:
        verdict.missing_buttons += user.missing_buttons
        calls = fake.chat_calls(user.chat, 0, upto.get(user.chat, 0))
        starts = [o.delivery.start for o in user.outcomes]
        windows: list[list[Seen]] = [[] for _ in user.outcomes]
        for seen in calls:
            index = bisect.bisect_right(starts, seen.at) - 1
            if index < 0 or seen.at > user.outcomes[index].delivery.end:
                verdict.late += 1
            else:
                windows[index].append(seen)
        last_tag = -1
        for seen in sorted(calls, key=lambda s: s.at):
            message = seen.message
            tag = _tag(message) if message is not None else None
            if tag is not None:
                if tag < last_tag:
                    verdict.tag_backwards += 1
                last_tag = max(last_tag, tag)
        for outcome, window in zip(user.outcomes, windows, strict=True):
            _judge_step(verdict, outcome, window, material, echo=echo)
    return verdict


def _judge_step(
    verdict: Verdict, outcome: Outcome, window: list[Seen], material: Material, *, echo: bool
) -> None:
    delivery = outcome.delivery
    verdict.webhook_failures += delivery.failures
    if delivery.status != 200:
        verdict.undelivered += 1
    verdict.refused += sum(1 for seen in window if not seen.ok)
    replies = [seen for seen in window if seen.message is not None]
    if not replies:
        verdict.lost += 1
        return
    verdict.latencies.append(max(seen.at for seen in replies) - delivery.start)
    counts = Counter(seen.signature() for seen in window if seen.ok)
    verdict.duplicated += sum(n - 1 for n in counts.values() if n > 1)
    texts = [_reply_text(seen) for seen in replies]
    if echo:
        step = outcome.step
        expected = f"pressed {step.echo_data()}" if step.press else step.text
        if texts != [expected]:
            verdict.unexpected += 1
        return
    verdict.apologies += texts.count(material.internal)
    verdict.stale += texts.count(material.stale)
    verdict.send_again += texts.count(material.send_again)


@dataclass(frozen=True)
class Expected:
    counts: dict[str, int]

    @classmethod
    def of(cls, users: Sequence[SimUser]) -> Expected:
        counts = dict.fromkeys(COUNTED_TABLES, 0)
        lessons: set[tuple[int, str]] = set()
        for user in users:
            counts["users"] += 1 if user.outcomes else 0
            for outcome in user.outcomes:
                step = outcome.step
                counts["answers"] += step.answer
                counts["check_events"] += step.check
                counts["queued_claims"] += step.queue
                counts["feedback"] += step.feedback
                if step.lesson:
                    lessons.add((user.index, step.lesson))
        counts["lesson_progress"] = len(lessons)
        return cls(counts)


def database_counts(url: str) -> dict[str, int]:
    from sqlalchemy import text

    from bot.storage import db

    engine = db.open_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
                for table in COUNTED_TABLES
            }
    finally:
        engine.dispose()


# -- CPU accounting from /proc ----------------------------------------------------------------

HZ = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


def machine_busy() -> float:
    """CPU seconds the whole machine spent busy (all cores) since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / HZ


def background_load(seconds: float = 1.0) -> float:
    """How busy the machine is with nothing of ours running (other people's work)."""
    before = machine_busy()
    time.sleep(seconds)
    return (machine_busy() - before) / seconds / CORES


def _descendants(pid: int) -> list[int]:
    found = [pid]
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found += _descendants(int(child))
    return found


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its living descendants."""
    total = 0.0
    for each in _descendants(pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            after = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(after[11]) + int(after[12])) / HZ
    return total


def postgres_cpu() -> float:
    """CPU seconds used so far by the living PostgreSQL processes (its backends included)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            head, after = stat.read_text().rsplit(")", 1)
            if head.endswith("(postgres"):
                fields = after.split()
                total += (int(fields[11]) + int(fields[12])) / HZ
    return total


@dataclass
class CpuMeter:
    """CPU used during a run by this process (the fake and the simulated users), by a bot's
    process tree, by PostgreSQL, and by everything else (kernel, other people's work)."""

    bot_pid: int
    _start: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    used: dict[str, float] = field(default_factory=dict)

    def _now(self) -> tuple[float, float, float, float]:
        return (time.process_time(), tree_cpu(self.bot_pid), postgres_cpu(), machine_busy())

    def __enter__(self) -> CpuMeter:
        self._start = self._now()
        return self

    def __exit__(self, *_exc: object) -> None:
        bench, bot, postgres, machine = (
            b - a for a, b in zip(self._start, self._now(), strict=True)
        )
        rest = max(0.0, machine - bench - bot - postgres)
        self.used = {"bench": bench, "bot": bot, "postgres": postgres, "rest": rest}


# -- where the time goes: a sampling profiler for the bot processes (--profile) ------------------

# Loaded as `sitecustomize` into every Python process of a profiled bot (py-spy is not part of
# the project's tools). Between SIGUSR1 and SIGUSR2 (the benchmark sends them around the timed
# run, so start-up is left out) it looks at every thread each 5 ms and charges the CPU time the
# thread used since the last look (its own CPU clock) to the code it is running: a thread that
# waits for the GIL, a lock, SQLite's busy timeout or the network is charged nothing. Totals
# (nanoseconds) go to a JSON file.
SAMPLER = """
import collections, json, os, signal, sys, threading, time

_DIR = os.environ.get("CIVICBOT_BENCH_PROFILE")
_on = threading.Event()
_lock = threading.Lock()
_last = {}
_self = collections.Counter()
_incl = collections.Counter()
_phase = collections.Counter()
_PHASES = (
    ("progress chart (matplotlib)", ("matplotlib", "PIL", "bot/charts.py")),
    ("database (SQLAlchemy, driver)", ("sqlalchemy", "psycopg", "sqlite3")),
    ("Bot API calls (python-telegram-bot, httpx)", ("httpx", "httpcore", "anyio",
        "bot/transports/telegram_render.py", "bot/transports/telegram_handlers.py:_answer")),
    ("engine (flows, templates, matcher)", ("bot/engine", "bot/render.py", "bot/matching",
        "jinja2", "markupsafe", "rapidfuzz", "bm25s", "numpy")),
    ("sealing addresses (Fernet)", ("cryptography", "bot/privacy.py")),
    ("webhook (Tornado, update parsing, ordering)", ("tornado", "telegram",
        "bot/transports")),
)

def _area(filename):
    path = filename.replace(os.sep, "/")
    if "/site-packages/" in path:
        return path.split("/site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if "/bot/" in path:
        return "bot/" + path.rsplit("/bot/", 1)[1]
    parts = path.rsplit("/", 2)
    if len(parts) < 3:
        return path
    return parts[-2] if parts[-2] not in ("lib", "python3.11") else parts[-1].removesuffix(".py")

def _cpu(ident):
    try:
        return time.clock_gettime_ns(time.pthread_getcpuclockid(ident))
    except (OSError, OverflowError, ValueError):
        return None

def _sample():
    me = threading.get_ident()
    while True:
        time.sleep(0.005)
        with _lock:
            _take(me)

def _take(me):
    for ident, frame in sys._current_frames().items():
        now = _cpu(ident) if ident != me else None
        if now is None:
            continue
        spent = now - _last.get(ident, now)
        _last[ident] = now
        if spent <= 0 or not _on.is_set():
            continue
        _self["(all)"] += spent
        top = _area(frame.f_code.co_filename)
        _self[top + ":" + frame.f_code.co_name] += spent
        if top.startswith("<frozen importlib"):
            caller = frame
            while caller is not None and "importlib" in caller.f_code.co_filename:
                caller = caller.f_back
            if caller is not None:
                where = _area(caller.f_code.co_filename) + ":" + caller.f_code.co_name
                _incl["import at run time, from " + where] += spent
        seen = set()
        stack = []
        while frame is not None:
            stack.append(_area(frame.f_code.co_filename) + ":" + frame.f_code.co_name)
            area = _area(frame.f_code.co_filename)
            for key in (area, area + ":" + frame.f_code.co_name):
                if key not in seen and (key == area or area.startswith("bot/")):
                    seen.add(key)
                    _incl[key] += spent
            frame = frame.f_back
        for name, markers in _PHASES:
            if any(entry.startswith(markers) for entry in stack):
                _phase[name] += spent
                break
        else:
            _phase["other (event loop, jobs)"] += spent

# Exact CPU (the calling thread's clock) of a few functions, wrapped once they are imported.
_timed = collections.Counter()
_calls = collections.Counter()
_depth = threading.local()
_WRAP = [
    ("bot.engine.engine", "Engine", "handle", "engine.handle"),
    ("bot.engine.progress", None, "progress_png", "progress chart"),
] + [("sqlalchemy.orm.session", "Session", name, "database") for name in
     ("execute", "scalars", "scalar", "get", "get_one", "flush", "commit", "close")] + [
    ("sqlalchemy.orm.session", "SessionTransaction", name, "database")
    for name in ("commit", "rollback")]

def _wrap(owner, name, label):
    original = getattr(owner, name)

    def timed(*args, **kwargs):
        depth = getattr(_depth, label, 0)
        setattr(_depth, label, depth + 1)
        start = time.thread_time_ns()
        try:
            return original(*args, **kwargs)
        finally:
            setattr(_depth, label, depth)
            if depth == 0 and _on.is_set():
                _timed[label] += time.thread_time_ns() - start
                _calls[label] += 1

    setattr(owner, name, timed)

def _patch():
    pending = list(_WRAP)
    while pending:
        time.sleep(0.05)
        for item in list(pending):
            module = sys.modules.get(item[0])
            owner = getattr(module, item[1], None) if item[1] else module
            if owner is not None and hasattr(owner, item[2]):
                _wrap(owner, item[2], item[3])
                pending.remove(item)

def _start(*_):
    with _lock:
        _self.clear()
        _incl.clear()
        _phase.clear()
        _timed.clear()
        _calls.clear()
        _on.set()

def _stop(*_):
    with _lock:
        _on.clear()
        path = os.path.join(_DIR, "profile-%d.json" % os.getpid())
        with open(path, "w") as out:
            json.dump({"self": _self, "inclusive": _incl, "phases": _phase, "timed": _timed,
                       "calls": _calls}, out)

_supervisor = "--workers" in sys.argv and "--worker" not in sys.argv
if _DIR and not _supervisor:
    signal.signal(signal.SIGUSR1, _start)
    signal.signal(signal.SIGUSR2, _stop)
    threading.Thread(target=_sample, daemon=True, name="bench-sampler").start()
    threading.Thread(target=_patch, daemon=True, name="bench-patcher").start()
    open(os.path.join(_DIR, "armed-%d" % os.getpid()), "w").close()
"""


def signal_profiled(folder: Path, sig: signal.Signals) -> None:
    """Start (SIGUSR1) or stop (SIGUSR2) the samplers of a profiled bot's processes."""
    for armed in folder.glob("armed-*"):
        with contextlib.suppress(OSError):
            os.kill(int(armed.name.split("-")[1]), sig)


@dataclass
class Profile:
    """CPU nanoseconds by the code running (self) and by the code on the stack (inclusive)."""

    own: Counter[str] = field(default_factory=Counter)
    inclusive: Counter[str] = field(default_factory=Counter)
    phases: Counter[str] = field(default_factory=Counter)
    timed: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)

    @classmethod
    def read(cls, folder: Path) -> Profile:
        profile = cls()
        for path in folder.glob("profile-*.json"):
            data = json.loads(path.read_text())
            profile.own.update(data["self"])
            profile.inclusive.update(data["inclusive"])
            profile.phases.update(data["phases"])
            profile.timed.update(data["timed"])
            profile.calls.update(data["calls"])
        return profile

    def lines(self, updates: int, bot_cpu: float, top: int = 14) -> list[str]:
        """`bot_cpu`: the bot's CPU seconds in the run, from /proc."""
        total = self.own.pop("(all)", 0) or 1
        ms = {k: v / 1e6 / max(1, updates) for k, v in self.timed.items()}
        loop = 1000 * bot_cpu / max(1, updates) - ms.get("engine.handle", 0.0)
        charts = self.calls.get("progress chart", 0)
        measured = (
            f"      measured with thread CPU clocks, ms per update: engine.handle "
            f"{ms.get('engine.handle', 0.0):.2f} (of it SQLAlchemy and the driver "
            f"{ms.get('database', 0.0):.2f}, progress charts {ms.get('progress chart', 0.0):.2f}"
            + (
                f" = {self.timed['progress chart'] / 1e6 / charts:.0f} ms each x {charts}"
                if charts
                else ""
            )
            + f"); the rest of the bot's CPU (event loop: webhook, update parsing, Bot API calls"
            f" through python-telegram-bot and httpx, jobs) {loop:.2f}"
        )

        def share(pairs: list[tuple[str, int]]) -> str:
            return ", ".join(f"{key} {n / total:.0%}" for key, n in pairs)

        ours = [(k, n) for k, n in self.inclusive.most_common() if k.startswith("bot/")]
        packages = [(k, n) for k, n in self.inclusive.most_common() if ":" not in k]
        imports = [(k, n) for k, n in self.inclusive.most_common() if k.startswith("import at")]
        by_package: Counter[str] = Counter()
        for key, n in self.own.items():
            by_package[key.split(":", 1)[0]] += n
        per_update = 1e6 * max(1, updates)
        lines = [
            measured,
            f"      sampled CPU: {total / per_update:.2f} ms per update: "
            + ", ".join(f"{k} {n / per_update:.2f}" for k, n in self.phases.most_common()),
            "      by the package running (self): " + share(by_package.most_common(top)),
            "      by the function running (self): " + share(self.own.most_common(top)),
            "      inside each package (inclusive): " + share(packages[:top]),
            "      inside civicbot functions (inclusive): " + share(ours[:top]),
        ]
        if imports:
            lines.append("      module searches while serving: " + share(imports[:5]))
        return lines


# -- processes --------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def listening_sockets(port: int) -> int:
    """How many sockets listen on 127.0.0.1:port (one per worker with SO_REUSEPORT)."""
    wanted = f":{port:04X}"
    count = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            parts = line.split()
            if parts[1].endswith(wanted) and parts[3] == "0A":
                count += 1
    return count


def children(pid: int) -> list[int]:
    return _descendants(pid)[1:]


@dataclass
class BotProcess:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    workers: int

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return -9

    def log_summary(self) -> dict[str, int]:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return {
            "tracebacks": text.count("Traceback"),
            "errors": sum(1 for line in text.splitlines() if " ERROR " in line),
            "warnings": sum(1 for line in text.splitlines() if " WARNING " in line),
        }


def bot_env(home: Path, address_key: str, profile: Path | None = None) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "XDG_DATA_HOME": str(home / "data"),
        "CIVICBOT_TELEGRAM_TOKEN": TOKEN,
        "CIVICBOT_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "CIVICBOT_SECRET_KEY": SECRET_KEY,
        "CIVICBOT_ADDRESS_KEY": address_key,
        "MPLBACKEND": "Agg",
    }
    if profile is not None:
        site = profile / "site"
        site.mkdir(parents=True, exist_ok=True)
        (site / "sitecustomize.py").write_text(SAMPLER, encoding="utf-8")
        env["PYTHONPATH"] = str(site)
        env["CIVICBOT_BENCH_PROFILE"] = str(profile)
    return env


def write_config(
    path: Path,
    fake: FakeBotApi,
    port: int,
    database_url: str,
    *,
    admins: Sequence[int] = (),
    outgoing_per_second: float = 25.0,
) -> None:
    settings = {
        "telegram": {
            "base_url": fake.base_url,
            "base_file_url": fake.base_file_url,
            "overall_per_second": 0.0,
            "admins": list(admins),
            "webhook": {
                "listen": "127.0.0.1",
                "port": port,
                "path": HOOK_PATH,
                "url": "https://bench.example.org" + HOOK_PATH,
            },
        },
        "database": {"url": database_url},
        "limits": {"burst": 100_000, "outgoing_per_second": outgoing_per_second},
        # Workers share claims waiting for "send to the editors" through Redis.
        "redis": {"url": REDIS_URL},
    }
    _forget_pending_claims()  # nothing left over from an earlier setup of the same run
    path.write_text(json.dumps(settings, indent=2), encoding="utf-8")  # JSON is YAML


REDIS_URL = "redis://127.0.0.1:6379/0"


def _forget_pending_claims() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter("civicbot:pending:*"):
        client.delete(key)


def start_civicbot(
    name: str,
    config: Path,
    home: Path,
    workers: int,
    address_key: str,
    profile: Path | None = None,
) -> BotProcess:
    command = [sys.executable, "-m", "bot", "run", "--webhook", "--config", str(config)]
    if workers > 1:
        command += ["--workers", str(workers)]
    log = home / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=bot_env(home, address_key, profile), stdout=out, stderr=out
        )
    return BotProcess(name, process, log, workers)


def start_echo(fake: FakeBotApi, port: int, home: Path, profile: Path | None = None) -> BotProcess:
    command = [sys.executable, str(Path(__file__).resolve()), "--serve-echo", str(port)]
    command += ["--api", fake.base_url]
    log = home / "echo.log"
    with log.open("wb") as out:
        env = bot_env(home, "", profile)
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    return BotProcess("echo", process, log, 1)


def wait_ready(bot: BotProcess, port: int) -> None:
    """Until every worker listens: connections opened earlier would all go to the first one."""
    deadline = time.monotonic() + READY_SECONDS
    while listening_sockets(port) < bot.workers:
        if bot.process.poll() is not None:
            raise RuntimeError(f"{bot.name} exited while starting:\n{bot.log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{bot.name} did not start within {READY_SECONDS}s")
        time.sleep(0.1)
    time.sleep(0.5)


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A private schema, upgraded, dropped afterwards."""
    from bot.storage import db

    with private_schema("bench") as url:
        engine = db.open_engine(url)
        db.upgrade(engine)
        engine.dispose()
        yield url


# -- the echo bot -----------------------------------------------------------------------------


def serve_echo(port: int, base_url: str) -> int:
    """A minimal python-telegram-bot echo bot on a webhook that answers 200 once the update
    is handled (like civicbot's), no rate limiter, 8 updates at a time."""
    asyncio.run(_serve_echo(port, base_url))
    return 0


async def _serve_echo(port: int, base_url: str) -> None:
    from telegram import Update
    from telegram.ext import (
        ApplicationBuilder,
        CallbackQueryHandler,
        ContextTypes,
        MessageHandler,
        filters,
    )
    from tornado.httpserver import HTTPServer
    from tornado.web import Application, RequestHandler

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(base_url)
        .updater(None)
        .concurrent_updates(CONCURRENCY)
        .build()
    )

    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None and update.message.text is not None:
            await context.bot.send_message(update.message.chat_id, update.message.text)

    async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        if query.message is not None:
            await context.bot.send_message(query.message.chat.id, f"pressed {query.data}")

    app.add_handler(MessageHandler(filters.TEXT, on_message))
    app.add_handler(CallbackQueryHandler(on_callback))

    class Hook(RequestHandler):
        async def post(self) -> None:
            if self.request.headers.get(SECRET_HEADER) != WEBHOOK_SECRET:
                self.set_status(403)
                return
            update = Update.de_json(json.loads(self.request.body), app.bot)
            await app.update_processor.process_update(update, app.process_update(update))
            self.set_status(200)

    await app.initialize()
    await app.start()
    server = HTTPServer(Application([(HOOK_PATH, Hook)], log_function=lambda _h: None))
    server.listen(port, address="127.0.0.1")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.stop()
    await app.stop()
    await app.shutdown()


# -- the fake's own ceiling -------------------------------------------------------------------


def hammer(port: int) -> int:
    """Child process: send the sendMessage described on stdin as fast as possible."""
    spec = json.loads(sys.stdin.read())
    result = asyncio.run(_hammer(port, spec))
    print(json.dumps(result))
    return 0


async def _hammer(port: int, spec: dict[str, Any]) -> dict[str, float]:
    body = urlencode(spec["params"]).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    path = f"/bot{TOKEN}/sendMessage"
    done = [0, 0]
    deadline = time.monotonic() + float(spec["seconds"])

    async def worker() -> None:
        connection = Connection(port)
        while time.monotonic() < deadline:
            try:
                status = await connection.post(path, body, headers, 10.0)
            except (OSError, TimeoutError, asyncio.IncompleteReadError):
                status = 0
            done[0 if status == 200 else 1] += 1
        connection.close()

    start = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(int(spec["connections"]))))
    return {"calls": done[0], "failed": done[1], "seconds": time.monotonic() - start}


def fake_ceiling(material: Material, seconds: float) -> dict[str, float]:
    """sendMessage calls/s the fake answers when another process hammers it (16 connections):
    a short plain text (what the echo bot sends) and a civicbot-like HTML reply with buttons."""
    keyboard = {
        "inline_keyboard": [
            [{"text": "Yes, helpful", "callback_data": "fb:y-x"}],
            [{"text": "Not really", "callback_data": "fb:n-x"}],
        ]
    }
    kinds = {
        "plain": {"chat_id": HAMMER_CHAT, "text": "pressed next:3"},
        "html": {
            "chat_id": HAMMER_CHAT,
            "text": material.sample_reply,
            "parse_mode": "HTML",
            "reply_markup": json.dumps(keyboard),
            "link_preview_options": json.dumps({"is_disabled": True}),
        },
    }
    rates = {}
    for kind, params in kinds.items():
        with BenchFake() as fake:
            fake.add_chat({"id": HAMMER_CHAT, "type": "private", "first_name": "H"})
            port = int(fake.url.rsplit(":", 1)[1])
            spec = {"params": params, "seconds": seconds, "connections": 16}
            out = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--hammer", str(port)],
                input=json.dumps(spec),
                capture_output=True,
                text=True,
                cwd=ROOT,
                check=True,
                timeout=seconds + 60,
            )
            result = json.loads(out.stdout)
            rates[kind] = result["calls"] / result["seconds"]
    return rates


# -- one setup --------------------------------------------------------------------------------


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
            bot = start_echo(fake, port, home, profile)
        else:
            if spec.database == "sqlite":
                url = f"sqlite:///{home / 'civicbot.sqlite3'}"
            else:
                url = stack.enter_context(postgres_database())
            config = home / "civicbot.json"
            write_config(config, fake, port, url)
            key = Fernet.generate_key().decode()
            bot = start_civicbot(spec.key, config, home, spec.workers, key, profile)
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
                    bot.process.pid,
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


# -- the report -------------------------------------------------------------------------------


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--interactions", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="60 users x 12, for tests")
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--setups", default="abcd", help="which of a, b, c, d to run")
    parser.add_argument("--ceiling-seconds", type=float, default=3.0)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--profile", action="store_true", help="sample the bots' stacks: where the time goes"
    )
    parser.add_argument("--serve-echo", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--hammer", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_echo:
        return serve_echo(args.serve_echo, args.api)
    if args.hammer:
        return hammer(args.hammer)
    if args.quick:
        args.users, args.interactions, args.ceiling_seconds = 60, 12, 1.0
    began = time.monotonic()
    material = load_material()
    plans = make_plans(material, args.users, args.interactions, args.seed)
    ceiling = fake_ceiling(material, args.ceiling_seconds) if args.ceiling_seconds > 0 else {}
    specs = [spec for spec in SETUPS if spec.key in args.setups]
    problem = postgres_problem() if any(s.database == "postgresql" for s in specs) else None
    if problem:
        print(f"skipping the PostgreSQL setups: {problem}", file=sys.stderr)
        specs = [spec for spec in specs if spec.database != "postgresql"]
    results = []
    with tempfile.TemporaryDirectory(prefix="civicbot-load-") as folder:
        for spec in specs:
            print(f"({spec.key}) {spec.label} ...", file=sys.stderr, flush=True)
            results.append(run_setup(spec, plans, material, args, Path(folder)))
    lines = report(results, ceiling, args)
    lines.append(f"total time {time.monotonic() - began:.0f} s")
    print("\n".join(lines))
    if args.json:
        document = {
            "users": args.users,
            "interactions": args.interactions,
            "connections": args.connections,
            "seed": args.seed,
            "cores": CORES,
            "fake_ceiling_calls_per_s": {k: round(v) for k, v in ceiling.items()},
            "setups": [r.to_json() for r in results],
            "verdicts": verdicts(results),
            "skipped": problem,
        }
        args.json.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return 0 if all(correct(r) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
