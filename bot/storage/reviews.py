"""Spaced review (one FSRS card per answered question) and the before/after headline test."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, func, select

from bot.learning.scheduling import CardState, review
from bot.storage.repository import Repository
from bot.storage.tables import (
    Answer,
    AssessmentResponse,
    QuizAttempt,
    ReviewCard,
    User,
)

# Built once: every graded answer looks up its question's card.
# The question's card in whichever language it was first answered (the oldest, should an older
# database hold one per language).
_CARD = (
    select(ReviewCard)
    .where(
        ReviewCard.user_id == bindparam("user_id"),
        ReviewCard.quiz_id == bindparam("quiz_id"),
        ReviewCard.question_id == bindparam("question_id"),
    )
    .order_by(ReviewCard.id)
    .limit(1)
)


class Reviews(Repository):
    def schedule(
        self, attempt: QuizAttempt, quiz_id: str, question_id: str, correct: bool, now: dt.datetime
    ) -> None:
        card = self._session.scalar(
            _CARD,
            {"user_id": attempt.user_id, "quiz_id": quiz_id, "question_id": question_id},
        )
        if card is None:
            card = ReviewCard(
                user_id=attempt.user_id,
                quiz_id=quiz_id,
                question_id=question_id,
                language=attempt.language,
                reviews=0,
            )
            self._session.add(card)
        after = review(card_state(card) if card.reviews else None, correct, now)
        card.state, card.step = after.state, after.step
        card.stability, card.difficulty = after.stability, after.difficulty
        card.due, card.last_review = after.due, after.last_review
        card.reviews += 1

    def due_cards(self, user: User, now: dt.datetime, limit: int) -> list[ReviewCard]:
        """Questions due for review, most overdue first, in whatever language they were
        answered: a question is the same question in every translation."""
        return list(
            self._session.scalars(
                select(ReviewCard)
                .where(ReviewCard.user_id == user.id, ReviewCard.due <= now)
                .order_by(ReviewCard.due, ReviewCard.id)
                .limit(limit)
            )
        )

    def next_due(self, user: User) -> dt.datetime | None:
        return self._session.scalar(
            select(func.min(ReviewCard.due)).where(ReviewCard.user_id == user.id)
        )

    def cards(self, user: User) -> list[ReviewCard]:
        return list(
            self._session.scalars(
                select(ReviewCard).where(ReviewCard.user_id == user.id).order_by(ReviewCard.id)
            )
        )

    def answer_counts(self, user: User) -> dict[tuple[str, str], tuple[int, float]]:
        """Per (quiz id, question id): how many answers the person gave and the latest score,
        in any language: the evidence a recall figure stands on."""
        rows = self._session.execute(
            select(Answer.quiz_id, Answer.question_id, Answer.score)
            .where(Answer.user_id == user.id)
            .order_by(Answer.id)
        )
        evidence: dict[tuple[str, str], tuple[int, float]] = {}
        for quiz_id, question_id, score in rows:
            count, _ = evidence.get((quiz_id, question_id), (0, 0.0))
            evidence[(quiz_id, question_id)] = (count + 1, score)
        return evidence


class Assessments(Repository):
    def record_rating(
        self,
        attempt: QuizAttempt,
        form_id: str,
        headline_id: str,
        accurate: bool,
        rating: int,
        now: dt.datetime,
    ) -> None:
        self._session.add(
            AssessmentResponse(
                user_id=attempt.user_id,
                attempt_id=attempt.id,
                assessment_id=attempt.quiz_id,
                form_id=form_id,
                headline_id=headline_id,
                language=attempt.language,
                accurate=accurate,
                rating=rating,
                answered_at=now,
            )
        )
        attempt.answered = True
        self._session.flush()

    def finished_assessments(self, user: User, assessment_id: str) -> list[QuizAttempt]:
        """Completed runs of an assessment, oldest first: before, after, follow-up, in
        whatever language each was taken (the forms are translations of one another)."""
        attempts = self._session.scalars(
            select(QuizAttempt)
            .where(
                QuizAttempt.user_id == user.id,
                QuizAttempt.kind == "assessment",
                QuizAttempt.quiz_id == assessment_id,
                QuizAttempt.finished_at.is_not(None),
            )
            .order_by(QuizAttempt.id)
        )
        return [a for a in attempts if len(self.ratings_of(a)) == len(a.question_ids)]

    def ratings_of(self, attempt: QuizAttempt) -> list[AssessmentResponse]:
        return list(
            self._session.scalars(
                select(AssessmentResponse)
                .where(AssessmentResponse.attempt_id == attempt.id)
                .order_by(AssessmentResponse.id)
            )
        )


def card_state(card: ReviewCard) -> CardState:
    return CardState(
        state=card.state,
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )
