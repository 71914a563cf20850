"""Lessons read and quizzes taken: attempts, answers, and the progress they add up to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from bot.storage.repository import Repository
from bot.storage.reviews import Reviews
from bot.storage.tables import (
    Answer,
    AssessmentResponse,
    LessonProgress,
    QuizAttempt,
    User,
)

# Built once, with parameters: the statements of the lesson and quiz steps that people take many
# times a minute (building a statement anew costs about as much as running it on SQLite).
_LESSON_ROW = select(LessonProgress).where(
    LessonProgress.user_id == bindparam("user_id"),
    LessonProgress.lesson_id == bindparam("lesson_id"),
    LessonProgress.language == bindparam("language"),
)
_COMPLETED = select(LessonProgress.lesson_id).where(
    LessonProgress.user_id == bindparam("user_id"), LessonProgress.completed_at.is_not(None)
)
_CURRENT_ATTEMPT = (
    select(QuizAttempt)
    .where(QuizAttempt.user_id == bindparam("user_id"), QuizAttempt.finished_at.is_(None))
    .order_by(QuizAttempt.id.desc())
    .limit(1)
)
_EARLIER_ANSWERS = select(func.count(Answer.id)).where(
    Answer.user_id == bindparam("user_id"),
    Answer.quiz_id == bindparam("quiz_id"),
    Answer.question_id == bindparam("question_id"),
)


@dataclass(frozen=True)
class QuizResult:
    quiz_id: str
    language: str
    right: int  # questions answered fully right in the best run
    questions: int


@dataclass(frozen=True)
class Progress:
    lessons_started: frozenset[str]  # lesson ids: a lesson is one lesson in every language
    lessons_completed: frozenset[str]
    quizzes: tuple[QuizResult, ...]
    answers: int
    right: int  # answers that were fully right


class Lessons(Repository):
    def open_lesson(self, user: User, lesson_id: str, language: str, now: dt.datetime) -> None:
        user.lesson_id = lesson_id
        user.lesson_card = 0
        if self._lesson_row(user, lesson_id, language) is None:
            self._session.add(
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
            self._session.add(row)
        if row.completed_at is None:
            row.completed_at = now

    def _lesson_row(self, user: User, lesson_id: str, language: str) -> LessonProgress | None:
        return self._session.scalar(
            _LESSON_ROW, {"user_id": user.id, "lesson_id": lesson_id, "language": language}
        )

    def lessons_completed(self, user: User) -> frozenset[str]:
        """The ids of every lesson the user finished, in whichever language they read it."""
        return frozenset(self._session.scalars(_COMPLETED, {"user_id": user.id}))


class Quizzes(Repository):
    def __init__(self, session: Session, reviews: Reviews) -> None:
        super().__init__(session)
        self._reviews = reviews

    def current_attempt(self, user: User) -> QuizAttempt | None:
        return self._session.scalar(_CURRENT_ATTEMPT, {"user_id": user.id})

    def latest_finished_attempt(self, user: User) -> QuizAttempt | None:
        return self._session.scalar(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user.id, QuizAttempt.finished_at.is_not(None))
            .order_by(QuizAttempt.id.desc())
            .limit(1)
        )

    def stopped_attempt(self, user: User, quiz_id: str) -> QuizAttempt | None:
        """The person's latest first run of this quiz when they left it unfinished: taking the
        quiz again continues it, so its first answers stay the first."""
        attempt = self._session.scalar(
            select(QuizAttempt)
            .where(
                QuizAttempt.user_id == user.id,
                QuizAttempt.kind == "quiz",
                QuizAttempt.quiz_id == quiz_id,
                QuizAttempt.retry_of.is_(None),
            )
            .order_by(QuizAttempt.id.desc())
            .limit(1)
        )
        if attempt is None or len(self.answers_of(attempt)) >= len(attempt.question_ids):
            return None
        return attempt

    def reopen(self, attempt: QuizAttempt, now: dt.datetime) -> None:
        """Make `attempt` the open one again; any other open attempt is left."""
        for other in self._session.scalars(
            select(QuizAttempt).where(
                QuizAttempt.user_id == attempt.user_id,
                QuizAttempt.finished_at.is_(None),
                QuizAttempt.id != attempt.id,
            )
        ):
            other.finished_at = now
        attempt.finished_at = None

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
        for abandoned in self._session.scalars(
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
        self._session.add(attempt)
        self._session.flush()
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
        earlier = self._session.scalar(
            _EARLIER_ANSWERS,
            {"user_id": attempt.user_id, "quiz_id": quiz_id, "question_id": question_id},
        )
        self._reviews.schedule(attempt, quiz_id, question_id, score >= 1.0, now)
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
        self._session.add(answer)
        attempt.answered = True
        attempt.selected = []
        self._session.flush()
        return answer

    def answers_of(self, attempt: QuizAttempt) -> list[Answer]:
        return list(
            self._session.scalars(
                select(Answer).where(Answer.attempt_id == attempt.id).order_by(Answer.id)
            )
        )

    def activity(self, user: User) -> list[dt.datetime]:
        """When the user answered, rated or finished a lesson: for streaks and the chart."""
        times: list[dt.datetime] = list(
            self._session.scalars(select(Answer.answered_at).where(Answer.user_id == user.id))
        )
        times += self._session.scalars(
            select(AssessmentResponse.answered_at).where(AssessmentResponse.user_id == user.id)
        )
        times += [
            t
            for t in self._session.scalars(
                select(LessonProgress.completed_at).where(LessonProgress.user_id == user.id)
            )
            if t is not None
        ]
        return sorted(times)

    def progress(self, user: User) -> Progress:
        lessons = list(
            self._session.scalars(select(LessonProgress).where(LessonProgress.user_id == user.id))
        )
        results: list[QuizResult] = []
        attempts = self._session.scalars(
            select(QuizAttempt).where(
                QuizAttempt.user_id == user.id,
                QuizAttempt.retry_of.is_(None),
                QuizAttempt.kind == "quiz",
            )
        )
        best: dict[str, QuizResult] = {}
        for attempt in attempts:
            answers = self.answers_of(attempt)
            if attempt.finished_at is None or len(answers) < len(attempt.question_ids):
                continue
            result = QuizResult(
                attempt.quiz_id,
                attempt.language,
                sum(1 for a in answers if a.score >= 1.0),
                len(attempt.question_ids),
            )
            key = attempt.quiz_id  # the best score over every language it was taken in
            if key not in best or result.right > best[key].right:
                best[key] = result
        results = sorted(best.values(), key=lambda r: r.quiz_id)
        totals = self._session.execute(
            select(func.count(Answer.id), func.count(Answer.id).filter(Answer.score >= 1.0)).where(
                Answer.user_id == user.id
            )
        ).one()
        return Progress(
            lessons_started=frozenset(row.lesson_id for row in lessons),
            lessons_completed=frozenset(row.lesson_id for row in lessons if row.completed_at),
            quizzes=tuple(results),
            answers=int(totals[0]),
            right=int(totals[1]),
        )
