"""Progress figures from what the database holds: recall per technique, streaks and activity.

Recall of a technique is the mean, over the questions tagged with it that the learner has
answered, of the chance they still recall the answer now (FSRS retrievability) times how right
their latest answer was. A question last answered wrongly counts as not recalled, so a wrong
answer lowers the figure at once (retrievability alone is highest right after any answer, right
or wrong), and skipped reviews make it fade. Below a few answers there is too little evidence to
say anything, and the figure says so instead of guessing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import fmean

from bot.learning.scheduling import CardState, retrievability

# Fewer answers than this on a technique's questions give no recall figure, only "too few".
MIN_ANSWERS = 3


@dataclass(frozen=True)
class Evidence:
    """One answered question: its review card, its techniques, and the answers behind it."""

    state: CardState
    tags: Sequence[str]
    answers: int
    last_score: float  # 0..1, the latest answer's grade


@dataclass(frozen=True)
class Recall:
    tag: str
    value: float | None  # 0..1; None when there are too few answers to tell
    answers: int


def recall(questions: Iterable[Evidence], now: dt.datetime) -> list[Recall]:
    """Recall per technique tag, in tag order."""
    values: dict[str, list[float]] = defaultdict(list)
    answers: dict[str, int] = defaultdict(int)
    for question in questions:
        value = retrievability(question.state, now) * question.last_score
        for tag in question.tags:
            values[tag].append(value)
            answers[tag] += question.answers
    return [
        Recall(tag, fmean(values[tag]) if answers[tag] >= MIN_ANSWERS else None, answers[tag])
        for tag in sorted(values)
    ]


def weakest(recalls: Iterable[Recall]) -> Recall | None:
    """The technique to strengthen next: the lowest recall among those with enough evidence."""
    known = [r for r in recalls if r.value is not None]
    return min(known, key=lambda r: (r.value, r.tag)) if known else None


def streak(times: Iterable[dt.datetime], now: dt.datetime) -> int:
    """Days in a row with any learning, ending today or yesterday (UTC)."""
    days = {t.astimezone(dt.UTC).date() for t in times}
    day = now.astimezone(dt.UTC).date()
    if day not in days:
        day -= dt.timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= dt.timedelta(days=1)
    return count


def weekly(times: Iterable[dt.datetime], now: dt.datetime, weeks: int = 8) -> list[int]:
    """Activity counts for the last `weeks` weeks (7-day windows ending now), oldest first."""
    counts = [0] * weeks
    for t in times:
        age = (now - t).days // 7
        if 0 <= age < weeks:
            counts[weeks - 1 - age] += 1
    return counts
