"""The figures educators ask for, read from the database: which questions work, which claims
people ask about that have no answer yet, how fact-checks are received, and how the bot is used.

Reports never name a person: they count rows and quote only texts people chose to send (queued
claims, feedback reasons).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, utils
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bot.learning.assessment import Rating, Scores, score
from bot.learning.items import ItemStats, cronbach_alpha, item_stats
from bot.library.catalog import Library
from bot.storage.repository import Repository
from bot.storage.tables import (
    Answer,
    AssessmentResponse,
    CheckEvent,
    Feedback,
    LessonProgress,
    QueuedClaim,
    QuizAttempt,
    User,
)

CLAIM_SIMILARITY = 80.0


@dataclass(frozen=True)
class OptionCount:
    text: str
    correct: bool
    count: int


@dataclass(frozen=True)
class QuestionRow:
    quiz_id: str
    language: str
    question_id: str
    text: str
    type: str
    stats: ItemStats
    options: tuple[OptionCount, ...]


@dataclass(frozen=True)
class QuizRow:
    quiz_id: str
    language: str
    title: str
    learners: int
    alpha: float | None


@dataclass(frozen=True)
class QuestionsReport:
    quizzes: tuple[QuizRow, ...]
    questions: tuple[QuestionRow, ...]


def questions_report(session: Session, library: Library) -> QuestionsReport:
    """Item statistics per question, on each learner's first complete attempt of each quiz."""
    first: dict[tuple[int, str, str], QuizAttempt] = {}
    attempts = session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.kind == "quiz", QuizAttempt.retry_of.is_(None))
        .order_by(QuizAttempt.id)
    )
    answers_by_attempt: dict[int, dict[str, Answer]] = defaultdict(dict)
    for answer in session.scalars(select(Answer)):
        answers_by_attempt[answer.attempt_id][answer.question_id] = answer
    for attempt in attempts:
        key = (attempt.user_id, attempt.quiz_id, attempt.language)
        if key in first:
            continue
        if len(answers_by_attempt[attempt.id]) >= len(attempt.question_ids):
            first[key] = attempt
    quizzes: list[QuizRow] = []
    questions: list[QuestionRow] = []
    for (language, quiz_id), quiz in library.quizzes.items():
        runs = [a for (_, qid, lang), a in first.items() if qid == quiz_id and lang == language]
        matrix: list[list[float]] = []
        chosen: list[Counter[int]] = [Counter() for _ in quiz.questions]
        for run in runs:
            answers = answers_by_attempt[run.id]
            if not all(q.id in answers for q in quiz.questions):
                continue  # the quiz changed since: this run is not comparable
            matrix.append([answers[q.id].score for q in quiz.questions])
            for index, question in enumerate(quiz.questions):
                chosen[index].update(answers[question.id].choices)
        quizzes.append(QuizRow(quiz_id, language, quiz.title, len(matrix), cronbach_alpha(matrix)))
        for index, question in enumerate(quiz.questions):
            options: tuple[OptionCount, ...]
            if question.type.value == "truefalse":
                options = (
                    OptionCount("true", bool(question.answer), chosen[index][1]),
                    OptionCount("false", not question.answer, chosen[index][0]),
                )
            else:
                options = tuple(
                    OptionCount(option.text, option.correct, chosen[index][i])
                    for i, option in enumerate(question.options)
                )
            questions.append(
                QuestionRow(
                    quiz_id,
                    language,
                    question.id,
                    question.text,
                    question.type.value,
                    item_stats(matrix, index) if matrix else ItemStats(0, None, None, None, False),
                    options,
                )
            )
    return QuestionsReport(tuple(quizzes), tuple(questions))


@dataclass
class ClaimGroup:
    text: str
    count: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    languages: set[str] = field(default_factory=set)
    examples: list[str] = field(default_factory=list)


def claims_report(session: Session) -> list[ClaimGroup]:
    """Queued claims still without a fact-check, grouped by similarity, most asked first."""
    groups: list[tuple[str, ClaimGroup]] = []
    for claim in session.scalars(
        select(QueuedClaim).where(QueuedClaim.factcheck_id.is_(None)).order_by(QueuedClaim.id)
    ):
        norm = utils.default_process(claim.text)
        for key, group in groups:
            if fuzz.token_set_ratio(norm, key) >= CLAIM_SIMILARITY:
                group.count += 1
                group.first_seen = min(group.first_seen, claim.created_at)
                group.last_seen = max(group.last_seen, claim.created_at)
                group.languages.add(claim.language)
                if len(group.examples) < 3 and claim.text not in group.examples:
                    group.examples.append(claim.text)
                break
        else:
            group = ClaimGroup(
                claim.text, 1, claim.created_at, claim.created_at, {claim.language}, [claim.text]
            )
            groups.append((norm, group))
    return sorted((g for _, g in groups), key=lambda g: (-g.count, g.first_seen))


@dataclass(frozen=True)
class FactCheckRow:
    factcheck_id: str
    language: str
    claim: str
    answered: int
    suggested: int
    helpful: int
    not_helpful: int
    reasons: tuple[str, ...]


def factchecks_report(session: Session, library: Library) -> list[FactCheckRow]:
    """How often each fact-check was served and how it was received, one row per fact-check
    and language: each check and each vote is counted once, in the language it happened in.

    A check is recorded with the asker's language; when the fact-check it served exists only in
    other languages (a suggestion across languages), it counts for the first of those."""
    languages: dict[str, list[str]] = defaultdict(list)
    for language, fc_id in sorted(library.factchecks):
        languages[fc_id].append(language)

    def row_of(fc_id: str, language: str) -> tuple[str, str] | None:
        if language in languages.get(fc_id, ()):
            return fc_id, language
        return (fc_id, languages[fc_id][0]) if languages.get(fc_id) else None

    served: Counter[tuple[str, str, str]] = Counter()
    for tier, served_id, language in session.execute(
        select(CheckEvent.tier, CheckEvent.factcheck_id, CheckEvent.language).where(
            CheckEvent.factcheck_id.is_not(None)
        )
    ):
        if (key := row_of(str(served_id), language)) is not None:
            served[(*key, tier)] += 1
    votes: Counter[tuple[str, str, bool]] = Counter()
    reasons: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in session.scalars(select(Feedback).order_by(Feedback.id)):
        if (key := row_of(row.factcheck_id, row.language)) is None:
            continue
        votes[(*key, row.helpful)] += 1
        if row.reason:
            reasons[key].append(row.reason)
    rows = [
        FactCheckRow(
            fc_id,
            language,
            fc.claim,
            served[(fc_id, language, "answer")],
            served[(fc_id, language, "suggest")],
            votes[(fc_id, language, True)],
            votes[(fc_id, language, False)],
            tuple(reasons[(fc_id, language)]),
        )
        for (language, fc_id), fc in library.factchecks.items()
    ]
    return sorted(rows, key=lambda r: (-(r.answered + r.suggested), r.language, r.factcheck_id))


@dataclass(frozen=True)
class Usage:
    learners: int
    active_7_days: int
    active_30_days: int
    lessons_completed: int
    quizzes_finished: int
    answers: int
    checks: int
    answered: int
    suggested: int
    unmatched: int
    claims_queued: int
    claims_open: int
    checks_per_day: tuple[tuple[dt.date, int], ...]


def usage_report(session: Session, now: dt.datetime, days: int = 30) -> Usage:
    today = now.date()

    def count(statement: Select[int]) -> int:
        return int(session.scalar(statement) or 0)

    tiers: Counter[str] = Counter()
    for tier, n in session.execute(select(CheckEvent.tier, func.count()).group_by(CheckEvent.tier)):
        tiers[tier] += n
    since = now - dt.timedelta(days=days)
    per_day: Counter[dt.date] = Counter(
        t.date()
        for t in session.scalars(
            select(CheckEvent.created_at).where(CheckEvent.created_at >= since)
        )
    )
    series = tuple(
        (day, per_day.get(day, 0))
        for day in (today - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1))
    )
    return Usage(
        learners=count(select(func.count(User.id))),
        active_7_days=count(
            select(func.count(User.id)).where(User.last_seen_on >= today - dt.timedelta(days=6))
        ),
        active_30_days=count(
            select(func.count(User.id)).where(User.last_seen_on >= today - dt.timedelta(days=29))
        ),
        lessons_completed=count(
            select(func.count(LessonProgress.id)).where(LessonProgress.completed_at.is_not(None))
        ),
        quizzes_finished=_finished_quizzes(session),
        answers=count(select(func.count(Answer.id))),
        checks=sum(tiers.values()),
        answered=tiers["answer"],
        suggested=tiers["suggest"],
        unmatched=tiers["none"],
        claims_queued=count(select(func.count(QueuedClaim.id))),
        claims_open=count(
            select(func.count(QueuedClaim.id)).where(QueuedClaim.factcheck_id.is_(None))
        ),
        checks_per_day=series,
    )


def _finished_quizzes(session: Session) -> int:
    """Quiz runs answered to the end (an abandoned run is closed, but not finished)."""
    answered = dict(
        session.execute(select(Answer.attempt_id, func.count()).group_by(Answer.attempt_id)).all()
    )
    return sum(
        1
        for attempt_id, size in session.execute(
            select(QuizAttempt.id, QuizAttempt.question_ids).where(
                QuizAttempt.kind == "quiz", QuizAttempt.finished_at.is_not(None)
            )
        )
        if answered.get(attempt_id, 0) >= len(size)
    )


@dataclass(frozen=True)
class AssessmentHistory:
    """Every learner's completed runs of one headline test, oldest first (before, after,
    follow-up), scored; one entry per learner, whatever languages they took it in."""

    assessment_id: str
    learners: tuple[tuple[Scores, ...], ...]


def assessments_report(session: Session) -> list[AssessmentHistory]:
    ratings: dict[int, list[Rating]] = defaultdict(list)
    for attempt_id, accurate, rating in session.execute(
        select(
            AssessmentResponse.attempt_id, AssessmentResponse.accurate, AssessmentResponse.rating
        )
    ):
        ratings[attempt_id].append(Rating(accurate, rating))
    runs: dict[str, dict[int, list[Scores]]] = defaultdict(lambda: defaultdict(list))
    for attempt_id, user_id, assessment_id, refs in session.execute(
        select(QuizAttempt.id, QuizAttempt.user_id, QuizAttempt.quiz_id, QuizAttempt.question_ids)
        .where(QuizAttempt.kind == "assessment", QuizAttempt.finished_at.is_not(None))
        .order_by(QuizAttempt.finished_at, QuizAttempt.id)
    ):
        given = ratings.get(attempt_id, [])
        if len(given) < len(refs) or len({r.accurate for r in given}) < 2:
            continue  # unfinished, or not scorable
        runs[assessment_id][user_id].append(score(given))
    return [
        AssessmentHistory(assessment_id, tuple(tuple(r) for r in by_user.values()))
        for assessment_id, by_user in sorted(runs.items())
    ]


class Reports(Repository):
    """The report queries, run in a read-only unit (one snapshot, no write lock)."""

    def questions(self, library: Library) -> QuestionsReport:
        return questions_report(self._session, library)

    def claims(self) -> list[ClaimGroup]:
        return claims_report(self._session)

    def factchecks(self, library: Library) -> list[FactCheckRow]:
        return factchecks_report(self._session, library)

    def assessments(self) -> list[AssessmentHistory]:
        return assessments_report(self._session)

    def usage(self, now: dt.datetime, days: int = 30) -> Usage:
        return usage_report(self._session, now, days)
