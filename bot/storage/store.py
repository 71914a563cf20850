"""The typed operations the engine performs on the database. The store owns transactions.

The engine handles one incoming event inside one unit of work: the user's row is locked (on
PostgreSQL) for the whole event, so two workers never interleave one person's events, and
everything the event changed is committed before any reply is sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar, cast

from sqlalchemy import ColumnElement, Engine, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.dml import Insert

from bot.learning.scheduling import CardState, review
from bot.storage.tables import (
    Answer,
    AssessmentResponse,
    Base,
    Broadcast,
    CheckEvent,
    Feedback,
    LessonProgress,
    Outbox,
    ProcessedEvent,
    QueuedClaim,
    QuizAttempt,
    RateBucket,
    ReviewCard,
    Subscription,
    User,
)

_Row = TypeVar("_Row", bound=Base)


@dataclass(frozen=True)
class QuizResult:
    quiz_id: str
    language: str
    best_score: float
    max_score: int


@dataclass(frozen=True)
class Progress:
    lessons_started: frozenset[tuple[str, str]]
    lessons_completed: frozenset[tuple[str, str]]
    quizzes: tuple[QuizResult, ...]
    answers: int
    score: float


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._sqlite = engine.dialect.name == "sqlite"

    @property
    def one_writer(self) -> bool:
        """True when the database lets one unit write at a time (SQLite): units queue for it."""
        return self._sqlite

    @contextmanager
    def unit(self, *, write: bool = True) -> Iterator[Unit]:
        """One transaction: committed when the block ends normally, rolled back otherwise.

        On SQLite a unit that may write takes the write lock when it begins (BEGIN IMMEDIATE),
        so what it reads cannot change under it: otherwise its first reads would run outside
        any transaction, and a unit changing the same person meanwhile would have its change
        overwritten. (PostgreSQL units lock the person's row instead; see `user`.) A unit that
        only reads (`write=False`: reports) sees one snapshot (on PostgreSQL: REPEATABLE READ)
        and takes no lock, so the bot goes on writing meanwhile.
        """
        with self._sessions() as session, session.begin():
            if self._sqlite:
                session.connection().exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
            elif not write:
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield Unit(session)


class Unit:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _insert_new(self, model: type[Base], **values: object) -> Insert:
        """INSERT that does nothing when the row exists: safe when two workers race to create
        the same user, event or bucket (SQLite and PostgreSQL both speak ON CONFLICT). A plain
        table insert: the ORM's bulk-insert machinery would only add work."""
        table = cast(Table, model.__table__)
        bind = self.session.bind
        if bind is not None and bind.dialect.name == "postgresql":
            return postgresql.insert(table).values(**values).on_conflict_do_nothing()
        return sqlite.insert(table).values(**values).on_conflict_do_nothing()

    def _locked_or_new(self, model: type[_Row], where: ColumnElement[bool], **new: object) -> _Row:
        """The row matching `where`, locked for this unit; inserted from `new` when missing."""
        query = select(model).where(where).with_for_update()
        row = self.session.scalars(query).one_or_none()
        if row is None:
            self.session.execute(self._insert_new(model, **new))
            row = self.session.scalars(query).one()
        return row

    # users ---------------------------------------------------------------------------------

    def user(self, key: str, now: dt.datetime) -> User:
        """The user with pseudonym `key`, created on first contact, locked for this unit."""
        return self._locked_or_new(
            User, User.key == key, key=key, seq=0, lesson_card=0, created_at=now
        )

    def first_time(self, event_id: str, now: dt.datetime) -> bool:
        """Record a platform event id; False when it was handled before (a re-delivery)."""
        insert = self._insert_new(ProcessedEvent, event_id=event_id, processed_at=now)
        # RETURNING, not rowcount: drivers disagree on rowcount for a skipped insert.
        column = ProcessedEvent.__table__.c.event_id
        inserted = self.session.execute(insert.returning(column)).scalar()
        return inserted is not None

    def user_by_id(self, user_id: int) -> User:
        return self.session.get_one(User, user_id)

    def find_user(self, key: str) -> User | None:
        return self.session.scalar(select(User).where(User.key == key))

    def bump(self, user: User) -> int:
        """Advance the user's button tag: every button shown before this is now stale."""
        user.seq += 1
        return user.seq

    # lessons -------------------------------------------------------------------------------

    def open_lesson(self, user: User, lesson_id: str, language: str, now: dt.datetime) -> None:
        user.lesson_id = lesson_id
        user.lesson_card = 0
        if self._lesson_row(user, lesson_id, language) is None:
            self.session.add(
                LessonProgress(
                    user_id=user.id, lesson_id=lesson_id, language=language, started_at=now
                )
            )

    def complete_lesson(self, user: User, lesson_id: str, language: str, now: dt.datetime) -> None:
        row = self._lesson_row(user, lesson_id, language)
        if row is None:
            row = LessonProgress(
                user_id=user.id, lesson_id=lesson_id, language=language, started_at=now
            )
            self.session.add(row)
        if row.completed_at is None:
            row.completed_at = now

    def _lesson_row(self, user: User, lesson_id: str, language: str) -> LessonProgress | None:
        return self.session.scalar(
            select(LessonProgress).where(
                LessonProgress.user_id == user.id,
                LessonProgress.lesson_id == lesson_id,
                LessonProgress.language == language,
            )
        )

    # quizzes -------------------------------------------------------------------------------

    def current_attempt(self, user: User) -> QuizAttempt | None:
        return self.session.scalar(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user.id, QuizAttempt.finished_at.is_(None))
            .order_by(QuizAttempt.id.desc())
            .limit(1)
        )

    def latest_finished_attempt(self, user: User) -> QuizAttempt | None:
        return self.session.scalar(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user.id, QuizAttempt.finished_at.is_not(None))
            .order_by(QuizAttempt.id.desc())
            .limit(1)
        )

    def start_attempt(
        self,
        user: User,
        quiz_id: str,
        language: str,
        question_ids: list[str],
        now: dt.datetime,
        retry_of: int | None = None,
        kind: str = "quiz",
    ) -> QuizAttempt:
        for abandoned in self.session.scalars(
            select(QuizAttempt).where(
                QuizAttempt.user_id == user.id, QuizAttempt.finished_at.is_(None)
            )
        ):
            abandoned.finished_at = now
        attempt = QuizAttempt(
            user_id=user.id,
            kind=kind,
            quiz_id=quiz_id,
            language=language,
            question_ids=list(question_ids),
            position=0,
            selected=[],
            answered=False,
            retry_of=retry_of,
            started_at=now,
        )
        self.session.add(attempt)
        self.session.flush()
        return attempt

    def record_answer(
        self,
        attempt: QuizAttempt,
        quiz_id: str,
        question_id: str,
        choices: list[int],
        score: float,
        now: dt.datetime,
    ) -> Answer:
        """Store a graded answer and reschedule the question's spaced review."""
        earlier = self.session.scalar(
            select(func.count(Answer.id)).where(
                Answer.user_id == attempt.user_id,
                Answer.quiz_id == quiz_id,
                Answer.question_id == question_id,
                Answer.language == attempt.language,
            )
        )
        self._schedule(attempt, quiz_id, question_id, score >= 1.0, now)
        answer = Answer(
            user_id=attempt.user_id,
            attempt_id=attempt.id,
            quiz_id=quiz_id,
            question_id=question_id,
            language=attempt.language,
            choices=list(choices),
            score=score,
            first_attempt=not earlier,
            answered_at=now,
        )
        self.session.add(answer)
        attempt.answered = True
        attempt.selected = []
        self.session.flush()
        return answer

    def _schedule(
        self, attempt: QuizAttempt, quiz_id: str, question_id: str, correct: bool, now: dt.datetime
    ) -> None:
        card = self.session.scalar(
            select(ReviewCard).where(
                ReviewCard.user_id == attempt.user_id,
                ReviewCard.quiz_id == quiz_id,
                ReviewCard.question_id == question_id,
                ReviewCard.language == attempt.language,
            )
        )
        if card is None:
            card = ReviewCard(
                user_id=attempt.user_id,
                quiz_id=quiz_id,
                question_id=question_id,
                language=attempt.language,
                reviews=0,
            )
            self.session.add(card)
        after = review(card_state(card) if card.reviews else None, correct, now)
        card.state, card.step = after.state, after.step
        card.stability, card.difficulty = after.stability, after.difficulty
        card.due, card.last_review = after.due, after.last_review
        card.reviews += 1

    def due_cards(
        self, user: User, language: str, now: dt.datetime, limit: int
    ) -> list[ReviewCard]:
        """Questions due for review, most overdue first."""
        return list(
            self.session.scalars(
                select(ReviewCard)
                .where(
                    ReviewCard.user_id == user.id,
                    ReviewCard.language == language,
                    ReviewCard.due <= now,
                )
                .order_by(ReviewCard.due, ReviewCard.id)
                .limit(limit)
            )
        )

    def next_due(self, user: User, language: str) -> dt.datetime | None:
        return self.session.scalar(
            select(func.min(ReviewCard.due)).where(
                ReviewCard.user_id == user.id, ReviewCard.language == language
            )
        )

    def cards(self, user: User, language: str) -> list[ReviewCard]:
        return list(
            self.session.scalars(
                select(ReviewCard).where(
                    ReviewCard.user_id == user.id, ReviewCard.language == language
                )
            )
        )

    # assessments ---------------------------------------------------------------------------

    def record_rating(
        self,
        attempt: QuizAttempt,
        form_id: str,
        headline_id: str,
        accurate: bool,
        rating: int,
        now: dt.datetime,
    ) -> None:
        self.session.add(
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
        self.session.flush()

    def finished_assessments(
        self, user: User, assessment_id: str, language: str
    ) -> list[QuizAttempt]:
        """Completed runs of an assessment, oldest first: before, after, follow-up."""
        attempts = self.session.scalars(
            select(QuizAttempt)
            .where(
                QuizAttempt.user_id == user.id,
                QuizAttempt.kind == "assessment",
                QuizAttempt.quiz_id == assessment_id,
                QuizAttempt.language == language,
                QuizAttempt.finished_at.is_not(None),
            )
            .order_by(QuizAttempt.id)
        )
        return [a for a in attempts if len(self.ratings_of(a)) == len(a.question_ids)]

    def ratings_of(self, attempt: QuizAttempt) -> list[AssessmentResponse]:
        return list(
            self.session.scalars(
                select(AssessmentResponse)
                .where(AssessmentResponse.attempt_id == attempt.id)
                .order_by(AssessmentResponse.id)
            )
        )

    # activity ------------------------------------------------------------------------------

    def activity(self, user: User) -> list[dt.datetime]:
        """When the user answered, rated or finished a lesson: for streaks and the chart."""
        times: list[dt.datetime] = list(
            self.session.scalars(select(Answer.answered_at).where(Answer.user_id == user.id))
        )
        times += self.session.scalars(
            select(AssessmentResponse.answered_at).where(AssessmentResponse.user_id == user.id)
        )
        times += [
            t
            for t in self.session.scalars(
                select(LessonProgress.completed_at).where(LessonProgress.user_id == user.id)
            )
            if t is not None
        ]
        return sorted(times)

    def answers_of(self, attempt: QuizAttempt) -> list[Answer]:
        return list(
            self.session.scalars(
                select(Answer).where(Answer.attempt_id == attempt.id).order_by(Answer.id)
            )
        )

    # claims, feedback, subscriptions, outbox -----------------------------------------------

    def record_check(
        self, language: str, tier: str, factcheck_id: str | None, now: dt.datetime
    ) -> None:
        self.session.add(
            CheckEvent(created_at=now, language=language, tier=tier, factcheck_id=factcheck_id)
        )

    def queue_claim(self, user: User, language: str, text: str, now: dt.datetime) -> QueuedClaim:
        claim = QueuedClaim(user_id=user.id, language=language, text=text, created_at=now)
        self.session.add(claim)
        self.session.flush()
        return claim

    def claims_queued_since(self, user: User, since: dt.datetime) -> int:
        return int(
            self.session.scalar(
                select(func.count(QueuedClaim.id)).where(
                    QueuedClaim.user_id == user.id, QueuedClaim.created_at >= since
                )
            )
            or 0
        )

    def open_claims(self) -> list[QueuedClaim]:
        return list(
            self.session.scalars(
                select(QueuedClaim)
                .where(QueuedClaim.factcheck_id.is_(None))
                .order_by(QueuedClaim.id)
            )
        )

    def claim_by_id(self, claim_id: int) -> QueuedClaim | None:
        return self.session.get(QueuedClaim, claim_id)

    def open_claims_of(self, user: User) -> list[QueuedClaim]:
        return list(
            self.session.scalars(
                select(QueuedClaim).where(
                    QueuedClaim.user_id == user.id, QueuedClaim.factcheck_id.is_(None)
                )
            )
        )

    def add_feedback(
        self, user: User, factcheck_id: str, language: str, helpful: bool, now: dt.datetime
    ) -> Feedback:
        feedback = Feedback(
            user_id=user.id,
            factcheck_id=factcheck_id,
            language=language,
            helpful=helpful,
            created_at=now,
        )
        self.session.add(feedback)
        self.session.flush()
        return feedback

    def feedback(self, user: User, feedback_id: int) -> Feedback | None:
        return self.session.scalar(
            select(Feedback).where(Feedback.id == feedback_id, Feedback.user_id == user.id)
        )

    def subscription(self, user: User, kind: str) -> Subscription | None:
        return self.session.scalar(
            select(Subscription).where(Subscription.user_id == user.id, Subscription.kind == kind)
        )

    def subscribe(
        self,
        user: User,
        kind: str,
        address: str,
        language: str,
        now: dt.datetime,
        next_at: dt.datetime | None,
    ) -> Subscription:
        existing = self.subscription(user, kind)
        if existing is not None:
            existing.address, existing.language, existing.next_at = address, language, next_at
            return existing
        subscription = Subscription(
            user_id=user.id,
            kind=kind,
            address=address,
            language=language,
            next_at=next_at,
            created_at=now,
        )
        self.session.add(subscription)
        return subscription

    def unsubscribe(self, user: User, kind: str) -> bool:
        existing = self.subscription(user, kind)
        if existing is None:
            return False
        self.session.delete(existing)
        return True

    def due_subscriptions(self, kind: str, now: dt.datetime, limit: int) -> list[Subscription]:
        """Subscriptions whose next message is due, locked so one worker takes each."""
        return list(
            self.session.scalars(
                select(Subscription)
                .where(Subscription.kind == kind, Subscription.next_at <= now)
                .order_by(Subscription.next_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )

    def enqueue(
        self,
        address: str,
        kind: str,
        text: str,
        now: dt.datetime,
        user_id: int | None = None,
        buttons: list[list[list[str]]] | None = None,
        broadcast_id: int | None = None,
    ) -> None:
        self.session.add(
            Outbox(
                user_id=user_id,
                address=address,
                kind=kind,
                text=text,
                buttons=buttons or [],
                status="pending",
                not_before=now,
                created_at=now,
                broadcast_id=broadcast_id,
            )
        )

    def create_broadcast(self, text: str, now: dt.datetime) -> Broadcast:
        broadcast = Broadcast(text=text, created_at=now, recipients=0)
        self.session.add(broadcast)
        self.session.flush()
        return broadcast

    def subscribers(self, kind: str) -> int:
        return int(
            self.session.scalar(
                select(func.count(Subscription.id)).where(Subscription.kind == kind)
            )
            or 0
        )

    def queue_broadcast(self, broadcast_id: int, kind: str, now: dt.datetime) -> int | None:
        """Put one message per subscriber in the outbox, once. None if already queued."""
        broadcast = self.session.scalars(
            select(Broadcast).where(Broadcast.id == broadcast_id).with_for_update()
        ).one_or_none()
        if broadcast is None or broadcast.queued_at is not None:
            return None
        count = 0
        for subscription in self.session.scalars(
            select(Subscription).where(Subscription.kind == kind).order_by(Subscription.id)
        ):
            self.enqueue(
                subscription.address,
                "broadcast",
                broadcast.text,
                now,
                subscription.user_id,
                broadcast_id=broadcast.id,
            )
            count += 1
        broadcast.queued_at, broadcast.recipients = now, count
        return count

    def rate_bucket(
        self, name: str, now: dt.datetime, per_second: float, burst: float
    ) -> RateBucket:
        """A token bucket shared by all workers, locked for this unit and refilled to `now`.

        The caller spends from `tokens` only what it actually uses.
        """
        row = self._locked_or_new(
            RateBucket, RateBucket.name == name, name=name, tokens=burst, updated_at=now
        )
        elapsed = max(0.0, (now - row.updated_at).total_seconds())
        row.tokens = min(burst, row.tokens + elapsed * per_second)
        row.updated_at = now
        return row

    def claim_outbox(self, now: dt.datetime, limit: int) -> list[Outbox]:
        """Take pending messages for sending: marked `sending` here, committed by the caller
        before anything is sent, so a crash can lose a message but never send it twice."""
        if limit <= 0:
            return []
        rows = list(
            self.session.scalars(
                select(Outbox)
                .where(Outbox.status == "pending", Outbox.not_before <= now)
                .order_by(Outbox.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        for row in rows:
            row.status = "sending"
        return rows

    def finish_outbox(self, outbox_id: int, sent: bool, now: dt.datetime) -> None:
        row = self.session.get(Outbox, outbox_id)
        if row is not None:
            row.status = "sent" if sent else "failed"
            row.sent_at = now if sent else None

    # progress ------------------------------------------------------------------------------

    def lessons_completed(self, user: User) -> frozenset[tuple[str, str]]:
        """(lesson id, language) of every lesson the user finished."""
        rows = self.session.execute(
            select(LessonProgress.lesson_id, LessonProgress.language).where(
                LessonProgress.user_id == user.id, LessonProgress.completed_at.is_not(None)
            )
        )
        return frozenset((lesson_id, language) for lesson_id, language in rows)

    def progress(self, user: User) -> Progress:
        lessons = list(
            self.session.scalars(select(LessonProgress).where(LessonProgress.user_id == user.id))
        )
        results: list[QuizResult] = []
        attempts = self.session.scalars(
            select(QuizAttempt).where(
                QuizAttempt.user_id == user.id,
                QuizAttempt.retry_of.is_(None),
                QuizAttempt.kind == "quiz",
            )
        )
        best: dict[tuple[str, str], QuizResult] = {}
        for attempt in attempts:
            answers = self.answers_of(attempt)
            if attempt.finished_at is None or len(answers) < len(attempt.question_ids):
                continue
            result = QuizResult(
                attempt.quiz_id,
                attempt.language,
                sum(a.score for a in answers),
                len(attempt.question_ids),
            )
            key = (attempt.quiz_id, attempt.language)
            if key not in best or result.best_score > best[key].best_score:
                best[key] = result
        results = sorted(best.values(), key=lambda r: (r.language, r.quiz_id))
        totals = self.session.execute(
            select(func.count(Answer.id), func.coalesce(func.sum(Answer.score), 0.0)).where(
                Answer.user_id == user.id
            )
        ).one()
        return Progress(
            lessons_started=frozenset((row.lesson_id, row.language) for row in lessons),
            lessons_completed=frozenset(
                (row.lesson_id, row.language) for row in lessons if row.completed_at
            ),
            quizzes=tuple(results),
            answers=int(totals[0]),
            score=float(totals[1]),
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
