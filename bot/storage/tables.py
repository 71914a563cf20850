"""The database schema as typed SQLAlchemy models. Alembic migrations in migrations/ create it.

What is stored is the minimum the bot needs to continue a conversation and show progress. A user
is a keyed hash, never a platform id, name or phone number; no message text is stored here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

ID = String(40)  # content ids are slugs of at most 40 characters
LANG = String(16)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps are stored as naive UTC and read back as aware UTC, on every database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(
        self,
        value: dt.datetime | None,
        dialect: Dialect,  # noqa: ARG002
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware UTC time")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(
        self,
        value: dt.datetime | None,
        dialect: Dialect,  # noqa: ARG002
    ) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime()}


class User(Base):
    """A learner or asker, known only by a pseudonym.

    `seq` tags the buttons the user was last shown, so stale ones are refused.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str | None] = mapped_column(LANG)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    lesson_id: Mapped[str | None] = mapped_column(ID)
    lesson_card: Mapped[int] = mapped_column(Integer, default=0)
    # Inbound rate limit (a token bucket), kept here because this row is locked per event anyway,
    # so several workers share one bucket per person.
    rate_tokens: Mapped[float | None] = mapped_column(Float)
    rate_at: Mapped[dt.datetime | None]
    rate_warned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # What typed text means next, when not a claim: e.g. "reason:<feedback id>".
    awaiting: Mapped[str | None] = mapped_column(String(64))
    # The day (not the time) of the last event: inactive accounts are erased after a while.
    last_seen_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    created_at: Mapped[dt.datetime]


class QuizAttempt(Base):
    """One run through a quiz (or through the questions missed in an earlier run).

    A user's current quiz is their newest attempt that is not finished; starting another quiz
    finishes the abandoned one.
    """

    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # quiz: one quiz's questions; review: due questions from any quiz ("quiz/question" refs);
    # assessment: one form of headlines ("form/headline" refs).
    kind: Mapped[str] = mapped_column(String(16), default="quiz", server_default="quiz")
    quiz_id: Mapped[str] = mapped_column(ID)
    language: Mapped[str] = mapped_column(LANG)
    question_ids: Mapped[list[str]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Options ticked so far on the current multiple-choice question, before "Done".
    selected: Mapped[list[int]] = mapped_column(JSON, default=list)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    retry_of: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_attempts.id", ondelete="SET NULL")
    )
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]


class Answer(Base):
    """One graded answer. Typed short answers are not kept: only the grade."""

    __tablename__ = "answers"
    # Question ids repeat across quizzes, and a review mixes quizzes: the quiz is part of the key.
    __table_args__ = (
        UniqueConstraint(
            "attempt_id", "quiz_id", "question_id", name="uq_answers_attempt_question"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    quiz_id: Mapped[str] = mapped_column(ID)
    question_id: Mapped[str] = mapped_column(ID)
    language: Mapped[str] = mapped_column(LANG)
    choices: Mapped[list[int]] = mapped_column(JSON, default=list)
    score: Mapped[float] = mapped_column(Float)
    first_attempt: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[dt.datetime]


class LessonProgress(Base):
    """A lesson a user opened, and when they reached its last card."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lesson_id: Mapped[str] = mapped_column(ID)
    language: Mapped[str] = mapped_column(LANG)
    started_at: Mapped[dt.datetime]
    completed_at: Mapped[dt.datetime | None]


class ReviewCard(Base):
    """The spaced-review state (FSRS) of one question for one learner."""

    __tablename__ = "review_cards"
    __table_args__ = (UniqueConstraint("user_id", "quiz_id", "question_id", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    quiz_id: Mapped[str] = mapped_column(ID)
    question_id: Mapped[str] = mapped_column(ID)
    language: Mapped[str] = mapped_column(LANG)
    state: Mapped[int] = mapped_column(Integer)
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[dt.datetime]
    last_review: Mapped[dt.datetime | None]
    reviews: Mapped[int] = mapped_column(Integer, default=0)


class AssessmentResponse(Base):
    """One reliability rating (1-7) of one headline in an assessment form."""

    __tablename__ = "assessment_responses"
    __table_args__ = (UniqueConstraint("attempt_id", "headline_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    assessment_id: Mapped[str] = mapped_column(ID)
    form_id: Mapped[str] = mapped_column(ID)
    headline_id: Mapped[str] = mapped_column(ID)
    language: Mapped[str] = mapped_column(LANG)
    accurate: Mapped[bool] = mapped_column(Boolean)
    rating: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[dt.datetime]


class Subscription(Base):
    """An opt-in to messages the bot sends unasked (daily review reminders, answers to claims
    sent to the editors). `address` is where to send them, sealed by the transport with a key
    the database does not hold; it exists only while the person is subscribed."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(LANG)
    next_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    created_at: Mapped[dt.datetime]


class ProcessedEvent(Base):
    """Platform event ids already handled, so a re-delivered update is not counted twice."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    processed_at: Mapped[dt.datetime] = mapped_column(index=True)


class CheckEvent(Base):
    """That a claim was checked, and how it went; no user and no text, for usage reports."""

    __tablename__ = "check_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    language: Mapped[str] = mapped_column(LANG)
    tier: Mapped[str] = mapped_column(String(16))
    factcheck_id: Mapped[str | None] = mapped_column(ID)


class QueuedClaim(Base):
    """A claim with no fact-check yet that its sender chose to send to the editors."""

    __tablename__ = "queued_claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(LANG)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    factcheck_id: Mapped[str | None] = mapped_column(ID)
    answered_at: Mapped[dt.datetime | None]


class Feedback(Base):
    """Whether a fact-check answer helped, with an optional reason the user typed."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    factcheck_id: Mapped[str] = mapped_column(ID)
    language: Mapped[str] = mapped_column(LANG)
    helpful: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(index=True)


class Outbox(Base):
    """A message to send unasked (reminder, notification, broadcast), drained by any worker.

    Status goes pending -> sending -> sent; a row is marked sending (and committed) before the
    send, so a crash can lose a message but never send it twice.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    address: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[list[list[str]]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    not_before: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]
    broadcast_id: Mapped[int | None] = mapped_column(Integer)


class Broadcast(Base):
    """An announcement an admin wrote for everyone who opted in to messages."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    queued_at: Mapped[dt.datetime | None]
    recipients: Mapped[int] = mapped_column(Integer, default=0)


class RateBucket(Base):
    """A token bucket shared by every worker (e.g. Telegram's ~30 messages a second overall)."""

    __tablename__ = "rate_buckets"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[dt.datetime]


class KeyFingerprint(Base):
    """A one-way fingerprint of a secret key this database was first used with (never the key):
    a host started with another key is refused instead of serving everyone as strangers."""

    __tablename__ = "key_fingerprints"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))


Index("ix_outbox_pending", Outbox.status, Outbox.not_before)
Index("ix_answers_question", Answer.quiz_id, Answer.question_id)
Index("ix_review_cards_due", ReviewCard.user_id, ReviewCard.due)
