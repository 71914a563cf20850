"""Part 2, Telegram faults: the real transport serving the real engine while the fake Bot API
refuses a share of requests or loses the answers to some; nothing may be lost or sent twice,
and no second may carry more sends than the outgoing limit.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from bot.config import LimitsSettings, TelegramSettings
from bot.engine.engine import Engine
from bot.engine.events import Incoming, Reply
from bot.library.limits import CAPTION_CHARS, MESSAGE_CHARS
from bot.storage.unit import Store
from bot.testing.harness import SECRET_KEY, Recording, RunningBot
from bot.transports.telegram._html import split_html, visible_length
from reliabilitybench.common import Run, open_database, tapped
from reliabilitybench.learners import (
    Learner,
    check_answers,
    join,
    run_learners,
    script_errors,
    telegram_people,
)
from reliabilitybench.observed import FAULT_KINDS, FAULT_RATE, ObservedApi


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


def run_faults(run: Run) -> None:
    started = time.monotonic()
    content, workdir, report, seed = run.content, run.workdir, run.report, run.seed
    rng = random.Random(seed)
    path = workdir / "faults.sqlite3"
    database = open_database(path)
    engine = Engine(Store(database), content, limits=LimitsSettings(burst=10**9))
    observed = ObservedEngine(engine)
    people = telegram_people(610_000_000, "L", run.scale.fault_learners, russian_every=3)
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
        join(run_learners(learners, run.scale.fault_interactions), timeout=240)
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
    limit = TelegramSettings().overall_per_second
    busiest = api.most_in_one_second()
    report.add("faults.busiest_second", f"most sends in one second (limit {limit:g})", busiest)
    over = max(0, busiest - int(limit))
    report.add("faults.over_limit", "sends over the limit in one second", over, must_be_zero=True)
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
