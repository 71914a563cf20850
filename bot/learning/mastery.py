"""Progress figures from what the database holds: mastery, streaks and weekly activity.

Mastery of a technique is the mean recall probability (FSRS retrievability) now of the
questions tagged with it that the learner has answered, so it fades when reviews are skipped,
which is the honest picture.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from statistics import fmean

from bot.learning.scheduling import CardState, retrievability


def mastery(cards: Iterable[tuple[CardState, Sequence[str]]], now: dt.datetime) -> dict[str, float]:
    """Mean retrievability per tag, from (card, tags of its question) pairs."""
    by_tag: dict[str, list[float]] = defaultdict(list)
    for state, tags in cards:
        value = retrievability(state, now)
        for tag in tags:
            by_tag[tag].append(value)
    return {tag: fmean(values) for tag, values in sorted(by_tag.items())}


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
