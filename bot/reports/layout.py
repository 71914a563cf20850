"""Reports as tables (a header and rows of plain values), the shape text, CSV and JSON share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.learning.change import LEVEL, Change, paired_change
from bot.storage.reports import (
    AssessmentHistory,
    ClaimGroup,
    FactCheckRow,
    QuestionsReport,
    Usage,
)

Value = str | int | float | None


MISSING = "—"  # shown for a figure nobody's answers define yet (never "0")


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    # What each measure means, in words an educator can repeat (printed under the table).
    notes: tuple[str, ...] = ()

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.header, row, strict=True)) for row in self.rows]


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


QUESTION_NOTES = (
    "first attempts: learners whose first complete run of the quiz counts here; retries and "
    "unfinished runs are left out, as in Moodle's quiz statistics.",
    "facility %: the share of the available points learners scored; 100 is a question everybody "
    "got right, 0 one nobody did.",
    "discrimination %: how closely scoring well on this question goes with scoring well on the "
    "rest of the quiz (a correlation, times 100); a negative value means stronger learners got it "
    "wrong more often than weaker ones: read the question again.",
    "efficiency %: the discrimination as a share of the highest value this question's spread of "
    "scores allows; a question under 15 % or with negative discrimination is flagged.",
    f"{MISSING}: nobody has answered yet, or every answer was the same, so the figure is not "
    "defined.",
)
QUIZ_NOTES = (
    "Cronbach's alpha: how consistently the questions of a quiz measure the same thing, from 0 to "
    "1; above 0.75 is satisfactory, under 0.64 suggests the quiz as a whole needs work "
    "(Moodle's thresholds).",
)


def questions_tables(report: QuestionsReport) -> list[Table]:
    quizzes = Table(
        "Quizzes",
        ("quiz", "language", "title", "learners", "Cronbach's alpha"),
        tuple(
            (
                q.quiz_id,
                q.language,
                q.title,
                q.learners,
                None if q.alpha is None else round(q.alpha, 3),
            )
            for q in report.quizzes
        ),
        QUIZ_NOTES,
    )
    questions = Table(
        "Questions (first attempts)",
        (
            "quiz",
            "language",
            "question",
            "type",
            "first attempts",
            "facility %",
            "discrimination %",
            "efficiency %",
            "flagged",
            "options chosen",
            "text",
        ),
        tuple(
            (
                q.quiz_id,
                q.language,
                q.question_id,
                q.type,
                q.stats.attempts,
                _pct(q.stats.facility),
                _pct(q.stats.discrimination),
                _pct(q.stats.efficiency),
                "yes" if q.stats.flagged else "",
                "; ".join(f"{'*' if o.correct else ''}{o.text}: {o.count}" for o in q.options),
                q.text,
            )
            for q in report.questions
        ),
        QUESTION_NOTES,
    )
    return [quizzes, questions]


def claims_table(groups: list[ClaimGroup]) -> Table:
    return Table(
        "Claims waiting for a fact-check",
        ("count", "first seen", "last seen", "languages", "claim"),
        tuple(
            (
                g.count,
                g.first_seen.date().isoformat(),
                g.last_seen.date().isoformat(),
                ",".join(sorted(g.languages)),
                g.text,
            )
            for g in groups
        ),
    )


def factchecks_table(rows: list[FactCheckRow]) -> Table:
    return Table(
        "Fact-checks",
        ("factcheck", "language", "answered", "suggested", "helpful", "not helpful", "reasons"),
        tuple(
            (
                r.factcheck_id,
                r.language,
                r.answered,
                r.suggested,
                r.helpful,
                r.not_helpful,
                " | ".join(r.reasons),
            )
            for r in rows
        ),
        (
            "Each check and each vote is counted once, in the language it happened in.",
            "answered: the fact-check was the bot's answer; suggested: it was one of the claims "
            "offered when the bot was less sure.",
        ),
    )


TEST_NOTES = (
    "Learners rate headlines, true and false, from 1 (not reliable) to 7 (reliable), once before "
    "learning and once after, on two parallel sets of headlines. Only learners who took both "
    "count in the change.",
    "telling true from false (discernment): how much higher true headlines are rated than false "
    "ones; higher is better.",
    "overall scepticism (bias): how far below the middle of the scale all headlines are rated; "
    "above 0 the learner distrusts news in general, true or false. A course that only raises this "
    "makes people more suspicious, not better at judging.",
    f"change: the mean of each learner's own change, with a {LEVEL:.0%} interval (Student's t); "
    "when the interval includes 0, the data do not show a change either way.",
)


def tests_table(histories: list[AssessmentHistory]) -> Table:
    rows: list[tuple[Value, ...]] = []
    for history in histories:
        paired = [runs for runs in history.learners if len(runs) >= 2]
        first_only = sum(1 for runs in history.learners if len(runs) == 1)
        for measure, attribute, better in (
            ("telling true from false", "discernment", "better at telling true from false"),
            ("overall scepticism", "bias", "more sceptical of all news"),
        ):
            change = paired_change(
                [(getattr(r[0], attribute), getattr(r[1], attribute)) for r in paired]
            )
            rows.append(
                (
                    history.assessment_id,
                    measure,
                    len(paired),
                    first_only,
                    None if change is None else round(change.before, 2),
                    None if change is None else round(change.after, 2),
                    None if change is None else round(change.mean, 2),
                    _interval(change),
                    _in_words(change, better),
                )
            )
    return Table(
        "Before/after headline test",
        (
            "test",
            "measure",
            "learners (both tests)",
            "learners (first test only)",
            "before",
            "after",
            "change",
            f"{LEVEL:.0%} interval",
            "in words",
        ),
        tuple(rows),
        TEST_NOTES,
    )


def _interval(change: Change | None) -> str | None:
    if change is None or change.low is None or change.high is None:
        return None
    return f"{change.low:+.2f} to {change.high:+.2f}"


def _in_words(change: Change | None, rise: str) -> str:
    if change is None:
        return "nobody has taken both tests yet"
    if change.low is None or change.high is None:
        return "one learner so far: too few to say"
    if change.low > 0:
        return f"a clear rise: learners became {rise}"
    if change.high < 0:
        fall = rise.replace("better", "worse").replace("more", "less")
        return f"a clear fall: learners became {fall}"
    return "no clear change (the interval includes 0)"


def usage_table(usage: Usage) -> Table:
    figures: list[tuple[Value, ...]] = [
        ("learners", usage.learners),
        ("active in the last 7 days", usage.active_7_days),
        ("active in the last 30 days", usage.active_30_days),
        ("lessons completed", usage.lessons_completed),
        ("quizzes finished", usage.quizzes_finished),
        ("answers", usage.answers),
        ("checks asked", usage.checks),
        ("checks answered", usage.answered),
        ("checks with suggestions", usage.suggested),
        ("checks unmatched", usage.unmatched),
        ("claims sent to the editors", usage.claims_queued),
        ("claims still open", usage.claims_open),
    ]
    return Table("Usage", ("figure", "value"), tuple(figures))


def text(tables: list[Table]) -> str:
    """Aligned columns; long cells are cut so a row stays on one line."""
    out: list[str] = []
    for table in tables:
        cells = [[_cell(v) for v in row] for row in table.rows]
        widths = [
            min(60, max([len(h)] + [len(r[i]) for r in cells])) for i, h in enumerate(table.header)
        ]
        out.append(table.title)
        out.append("  ".join(h.ljust(w) for h, w in zip(table.header, widths, strict=True)))
        for row in cells:
            out.append(
                "  ".join(_fit(c, w).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            )
        out.extend(f"  {note}" for note in table.notes)
        out.append("")
    return "\n".join(out)


def _cell(value: Value) -> str:
    return MISSING if value is None else str(value)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
