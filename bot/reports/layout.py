"""Reports as tables (a header and rows of plain values), the shape text, CSV and JSON share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.storage.reports import ClaimGroup, FactCheckRow, QuestionsReport, Usage

Value = str | int | float | None


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.header, row, strict=True)) for row in self.rows]


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def questions_tables(report: QuestionsReport) -> list[Table]:
    quizzes = Table(
        "Quizzes",
        ("quiz", "language", "title", "learners", "cronbach_alpha"),
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
    )
    questions = Table(
        "Questions (first attempts)",
        (
            "quiz",
            "language",
            "question",
            "type",
            "attempts",
            "facility_pct",
            "discrimination_pct",
            "efficiency_pct",
            "flagged",
            "options",
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
    )
    return [quizzes, questions]


def claims_table(groups: list[ClaimGroup]) -> Table:
    return Table(
        "Claims waiting for a fact-check",
        ("count", "first_seen", "last_seen", "languages", "claim"),
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
        ("factcheck", "language", "answered", "suggested", "helpful", "not_helpful", "reasons"),
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
    )


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
        out.append("")
    return "\n".join(out)


def _cell(value: Value) -> str:
    return "" if value is None else str(value)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
