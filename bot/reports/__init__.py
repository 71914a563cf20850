"""Reports for educators: which questions work, which claims wait for a fact-check, how
fact-checks are received, and how the bot is used."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bot.library.catalog import Library
from bot.reports import layout as tables
from bot.reports.layout import Table
from bot.storage.reports import Reports

KINDS = ("questions", "claims", "factchecks", "tests", "usage")
# What each report shows (the command's help prints these).
DESCRIPTIONS = {
    "questions": "which quiz questions work: facility, discrimination, efficiency and Cronbach's "
    "alpha per quiz and question, on learners' first attempts (Moodle's item analysis)",
    "claims": "claims people sent to the editors that still have no fact-check, similar ones "
    "grouped, most asked first",
    "factchecks": "how often each fact-check was answered or suggested, and how it was received "
    "(helpful votes and the reasons people gave), per language",
    "tests": "the before/after headline test across learners: telling true from false and "
    "overall scepticism before and after, the change and its 95 % interval",
    "usage": "learners, activity, lessons, quizzes and checks, and checks per day",
}


@dataclass(frozen=True)
class Report:
    kind: str
    tables: list[Table]
    charts: dict[str, list[tuple[str, float | int | None]]]


def build(kind: str, queries: Reports, library: Library, now: dt.datetime) -> Report:
    """Build report `kind` from `queries` (a read-only unit's report repository)."""
    charts: dict[str, Any] = {}
    if kind == "questions":
        report = queries.questions(library)
        made = tables.questions_tables(report)
        answered = [q for q in report.questions if q.stats.attempts]
        charts["facility"] = [
            (_name(q.quiz_id, q.question_id, q.language), round(q.stats.facility or 0))
            for q in answered
        ]
        charts["efficiency"] = [
            (
                _name(q.quiz_id, q.question_id, q.language),
                None if q.stats.efficiency is None else round(q.stats.efficiency),
            )
            for q in answered
        ]
    elif kind == "claims":
        groups = queries.claims()
        made = [tables.claims_table(groups)]
        charts["claims"] = [
            (f"[{','.join(sorted(g.languages))}] {g.text}", g.count) for g in groups[:15]
        ]
    elif kind == "factchecks":
        rows = queries.factchecks(library)
        made = [tables.factchecks_table(rows)]
        used = [r for r in rows if r.answered or r.suggested or r.helpful or r.not_helpful][:20]
        charts["answered"] = [(f"[{r.language}] {r.factcheck_id}", r.answered) for r in used]
        charts["helpful"] = [(f"[{r.language}] {r.factcheck_id}", r.helpful) for r in used]
    elif kind == "tests":
        made = [tables.tests_table(queries.assessments())]
    elif kind == "usage":
        usage = queries.usage(now)
        made = [tables.usage_table(usage)]
        charts["per_day"] = [(day.isoformat(), n) for day, n in usage.checks_per_day]
        charts["tiers"] = [
            ("answered", usage.answered),
            ("suggested", usage.suggested),
            ("unmatched", usage.unmatched),
        ]
    else:
        raise ValueError(f"unknown report {kind!r}; choose from {', '.join(KINDS)}")
    return Report(kind, made, charts)


def _name(quiz_id: str, question_id: str, language: str) -> str:
    return f"[{language}] {quiz_id}/{question_id}"
