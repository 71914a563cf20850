"""How much a group of learners changed between two tests: the mean of each learner's change,
with a confidence interval from Student's t distribution (paired differences).

The t quantile is found by integrating the t density (Simpson's rule) and bisecting, so no
statistics library is needed for one number per report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist, fmean, stdev

LEVEL = 0.95


def _t_density(x: float, df: int) -> float:
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_c - (df + 1) / 2 * math.log1p(x * x / df))


def _t_cdf_above_zero(x: float, df: int, steps: int = 2000) -> float:
    """P(0 <= T <= x) for x >= 0, by Simpson's rule (steps is even)."""
    h = x / steps
    total = _t_density(0.0, df) + _t_density(x, df)
    for i in range(1, steps):
        total += (4 if i % 2 else 2) * _t_density(i * h, df)
    return total * h / 3


def t_quantile(p: float, df: int) -> float:
    """The p quantile (0.5 < p < 1) of Student's t with `df` degrees of freedom."""
    if not 0.5 < p < 1 or df < 1:
        raise ValueError("t_quantile needs 0.5 < p < 1 and df >= 1")
    if df > 200:
        return NormalDist().inv_cdf(p)
    target = p - 0.5
    low, high = 0.0, 1.0
    while _t_cdf_above_zero(high, df) < target:
        low, high = high, high * 2
    for _ in range(60):
        middle = (low + high) / 2
        if _t_cdf_above_zero(middle, df) < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


@dataclass(frozen=True)
class Change:
    learners: int
    before: float  # mean before
    after: float  # mean after
    mean: float  # mean of each learner's (after - before)
    low: float | None  # the interval; None with fewer than two learners
    high: float | None


def paired_change(pairs: Sequence[tuple[float, float]], level: float = LEVEL) -> Change | None:
    """The mean change over (before, after) pairs with its `level` interval, or None if empty."""
    if not pairs:
        return None
    differences = [after - before for before, after in pairs]
    mean = fmean(differences)
    low = high = None
    if len(pairs) >= 2:
        half = t_quantile((1 + level) / 2, len(pairs) - 1) * stdev(differences) / len(pairs) ** 0.5
        low, high = mean - half, mean + half
    return Change(
        len(pairs), fmean(b for b, _ in pairs), fmean(a for _, a in pairs), mean, low, high
    )
