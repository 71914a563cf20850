"""Item analysis the way Moodle's quiz statistics report does it, on first attempts.

For each question: facility (mean score as a share of the maximum), discrimination index
(100 x the correlation between the question's score and the score on the rest of the quiz),
discriminative efficiency (100 x that covariance over the largest covariance the two score
distributions allow, found by sorting both independently). A question is flagged when its
efficiency is under 15 % or its discrimination is negative. Cronbach's alpha summarises a quiz.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean, pvariance

FLAG_EFFICIENCY = 15.0


@dataclass(frozen=True)
class ItemStats:
    attempts: int
    facility: float | None  # percent; None when nobody answered
    discrimination: float | None  # percent; None when undefined (no variance)
    efficiency: float | None  # percent
    flagged: bool


def _covariance(xs: Sequence[float], ys: Sequence[float]) -> float:
    mx, my = fmean(xs), fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / len(xs)


def item_stats(scores: Sequence[Sequence[float]], item: int) -> ItemStats:
    """Statistics of question `item`, from one row of per-question scores (0..1) per learner."""
    xs = [row[item] for row in scores]
    rest = [sum(row) - row[item] for row in scores]
    n = len(xs)
    facility = 100.0 * fmean(xs) if n else None
    discrimination = efficiency = None
    if n >= 2:
        cov = _covariance(xs, rest)
        vx, vr = pvariance(xs), pvariance(rest)
        if vx > 0 and vr > 0:
            discrimination = 100.0 * cov / (vx * vr) ** 0.5
            best = _covariance(sorted(xs), sorted(rest))
            efficiency = 100.0 * cov / best if best > 0 else None
    flagged = (discrimination is not None and discrimination < 0) or (
        efficiency is not None and efficiency < FLAG_EFFICIENCY
    )
    return ItemStats(n, facility, discrimination, efficiency, flagged)


def cronbach_alpha(scores: Sequence[Sequence[float]]) -> float | None:
    """Internal consistency of a quiz; > 0.75 is satisfactory. None when undefined."""
    if len(scores) < 2 or len(scores[0]) < 2:
        return None
    k = len(scores[0])
    total_variance = pvariance([sum(row) for row in scores])
    if total_variance == 0:
        return None
    item_variance = sum(pvariance([row[i] for row in scores]) for i in range(k))
    return (k / (k - 1)) * (1 - item_variance / total_variance)
