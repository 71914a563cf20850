"""bench/embedding_probe.py: the coverage it reports keeps both limits, and its out-of-fold
scores come from trees that never saw the row's tweet. (The models themselves are optional
packages the probe is run with by hand.)"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from tests.matching.bench_script import load


def _probe() -> ModuleType:
    return load("embedding_probe")


def _row(probe: ModuleType, query: int, *, whole: bool, right: bool) -> Any:
    return probe.Row(query, whole, right, 0.0, 0.0, ())


def test_coverage_stops_where_masked_rankings_would_be_answered() -> None:
    probe = _probe()
    # 20 tweets: whole rankings right with scores 1..20; masked rankings score 0.5..19.5, so
    # every threshold that answers many whole rankings also answers masked ones.
    rows, scores = [], []
    for n in range(20):
        rows.append(_row(probe, n, whole=True, right=True))
        scores.append(n + 1.0)
        rows.append(_row(probe, n, whole=False, right=False))
        scores.append(n + 0.5)
    coverage, precision, absent = probe.best_coverage(np.array(scores), rows, 0.9)
    assert absent <= probe.MAX_ABSENT
    assert precision == 1.0
    # Down to 19: two whole rankings and one masked one (5 %); 18.5 would answer a second.
    assert coverage == 0.1


def test_coverage_keeps_the_precision_bar() -> None:
    probe = _probe()
    # Ten whole rankings, the best-scored of them wrong: answering anything at all costs precision
    # until nine right ones outweigh it.
    rows = [_row(probe, n, whole=True, right=n != 9) for n in range(10)]
    scores = np.arange(10, dtype=np.float64)
    coverage, precision, _ = probe.best_coverage(scores, rows, 0.85)
    assert precision >= 0.85
    assert coverage == 1.0  # 9 of 10 right: 0.9
    coverage, _, _ = probe.best_coverage(scores, rows, 0.95)
    assert coverage == 0.0


def test_out_of_fold_scores_do_not_remember_their_own_rows() -> None:
    probe = _probe()
    # The input is noise and the labels are random: trees that saw a row would score its own
    # label high; out of fold, the scores cannot tell right from wrong.
    rng = np.random.default_rng(3)
    rows = [_row(probe, n // 2, whole=True, right=bool(rng.integers(2))) for n in range(400)]
    values = rng.random((400, 3))
    scores = probe.out_of_fold(values, rows, 5)
    labels = np.array([r.right for r in rows])
    gap = scores[labels].mean() - scores[~labels].mean()
    assert abs(gap) < 0.3
