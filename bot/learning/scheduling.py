"""Spaced review with FSRS: when each question should come back so that it is not forgotten.

A correct answer is rated Good and a wrong (or partly wrong) one Again, as the learner did not
fully recall it. Fuzzing is off so that schedules are reproducible and testable; with questions
drawn from several quizzes, reviews spread out on their own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fsrs import Card, Rating, Scheduler, State

_SCHEDULER = Scheduler(enable_fuzzing=False)


@dataclass(frozen=True)
class CardState:
    """What the database keeps of one FSRS card."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: dt.datetime
    last_review: dt.datetime | None


def _card(state: CardState | None, now: dt.datetime) -> Card:
    if state is None:
        return Card(card_id=0, due=now)
    return Card(
        card_id=0,
        state=State(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due,
        last_review=state.last_review,
    )


def review(state: CardState | None, correct: bool, now: dt.datetime) -> CardState:
    """The card after one answer at `now`; `state` None is a question seen for the first time."""
    rating = Rating.Good if correct else Rating.Again
    card, _ = _SCHEDULER.review_card(_card(state, now), rating, now)
    return CardState(
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def retrievability(state: CardState, now: dt.datetime) -> float:
    """The probability (0..1) that the learner still recalls the answer at `now`."""
    return float(_SCHEDULER.get_card_retrievability(_card(state, now), now))
