"""FSRS scheduling against the published reference intervals."""

from __future__ import annotations

import datetime as dt

from bot.learning.scheduling import CardState, retrievability, review


def test_reference_intervals() -> None:
    now = dt.datetime(2022, 11, 29, 12, 30, tzinfo=dt.UTC)
    state: CardState | None = None
    intervals = []
    for correct in [True] * 6 + [False] * 2 + [True] * 5:
        state = review(state, correct, now)
        intervals.append((state.due - now).days)
        now = state.due
    assert intervals == [0, 2, 11, 46, 163, 498, 0, 0, 2, 4, 7, 12, 21]


def test_retrievability_fades() -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    state = review(review(None, True, now), True, now + dt.timedelta(minutes=10))
    soon = retrievability(state, now + dt.timedelta(days=1))
    later = retrievability(state, now + dt.timedelta(days=60))
    assert 0.0 < later < soon <= 1.0
