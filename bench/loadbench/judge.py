"""Judging a load run from what the fake Bot API saw: latency, errors, lost, doubled and
reordered replies, and the database rows the simulated users must have left.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from benchkit import sql
from benchkit.fake import BenchFake, Seen

from bot.testing.buttons import keyboard_data, step_tag
from loadbench.users import Material, Outcome, SimUser

COUNTED_TABLES = (
    "answers",
    "lesson_progress",
    "check_events",
    "queued_claims",
    "feedback",
    "users",
)


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
    tags = (step_tag(data) for data in keyboard_data(message.get("reply_markup")))
    return next((tag for tag in tags if tag is not None), None)


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
    return sql.counts(url, COUNTED_TABLES)
