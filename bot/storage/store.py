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

from sqlalchemy import Engine, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.tables import Answer, LessonProgress, QuizAttempt, User


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

    @contextmanager
    def unit(self) -> Iterator[Unit]:
        """One transaction: committed when the block ends normally, rolled back otherwise."""
        with self._sessions() as session, session.begin():
            yield Unit(session)


class Unit:
    def __init__(self, session: Session) -> None:
        self.session = session

    # users ---------------------------------------------------------------------------------

    def user(self, key: str, now: dt.datetime) -> User:
        """The user with pseudonym `key`, created on first contact, locked for this unit."""
        dialect = self.session.bind.dialect.name if self.session.bind else ""
        values = {"key": key, "seq": 0, "lesson_card": 0, "created_at": now}
        if dialect == "postgresql":
            insert = postgresql.insert(User).values(**values).on_conflict_do_nothing()
            self.session.execute(insert)
        elif dialect == "sqlite":
            self.session.execute(sqlite.insert(User).values(**values).on_conflict_do_nothing())
        elif self.session.scalar(select(User).where(User.key == key)) is None:
            self.session.add(User(**values))
            self.session.flush()
        return self.session.scalars(select(User).where(User.key == key).with_for_update()).one()

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
    ) -> QuizAttempt:
        for abandoned in self.session.scalars(
            select(QuizAttempt).where(
                QuizAttempt.user_id == user.id, QuizAttempt.finished_at.is_(None)
            )
        ):
            abandoned.finished_at = now
        attempt = QuizAttempt(
            user_id=user.id,
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
        question_id: str,
        choices: list[int],
        score: float,
        now: dt.datetime,
    ) -> Answer:
        earlier = self.session.scalar(
            select(func.count(Answer.id)).where(
                Answer.user_id == attempt.user_id,
                Answer.quiz_id == attempt.quiz_id,
                Answer.question_id == question_id,
                Answer.language == attempt.language,
            )
        )
        answer = Answer(
            user_id=attempt.user_id,
            attempt_id=attempt.id,
            quiz_id=attempt.quiz_id,
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

    def answers_of(self, attempt: QuizAttempt) -> list[Answer]:
        return list(
            self.session.scalars(
                select(Answer).where(Answer.attempt_id == attempt.id).order_by(Answer.id)
            )
        )

    # progress ------------------------------------------------------------------------------

    def progress(self, user: User) -> Progress:
        lessons = list(
            self.session.scalars(select(LessonProgress).where(LessonProgress.user_id == user.id))
        )
        results: list[QuizResult] = []
        attempts = self.session.scalars(
            select(QuizAttempt).where(
                QuizAttempt.user_id == user.id, QuizAttempt.retry_of.is_(None)
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
