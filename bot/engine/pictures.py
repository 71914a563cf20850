"""Pictures the engine asks for, as plain data: the transport draws them where it likes.

A picture costs a tenth of a second of CPU; Telegram draws it in a helper process, the terminal
in place. The spec must pickle, and every word on it comes from the locale.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RecallBar:
    """One technique on the recall panel: a bar where there is evidence, else only the note."""

    label: str
    value: float | None  # 0..1; None: too few answers to tell
    note: str  # drawn beside the bar: "85%", or why there is no bar


@dataclass(frozen=True)
class ChartData:
    mastery: tuple[RecallBar, ...]
    weekly: tuple[int, ...]  # oldest week first
    assessment: tuple[tuple[str, float], ...]  # (phase label, discernment)


Labels = tuple[tuple[str, str], ...]  # (name, text): every word on the picture


@dataclass(frozen=True)
class ProgressPicture:
    """The progress chart: mastery per technique, weekly activity, before/after test."""

    data: ChartData
    labels: Labels


Picture = ProgressPicture
