"""The benchmark metrics follow the CheckThat! definitions."""

from __future__ import annotations

import pytest

from bot.matching.evaluate import Ranked, average_precision, reciprocal_rank, score_run


def test_average_precision_divides_by_relevant_count() -> None:
    assert average_precision(["a", "x", "b"], {"a", "b"}, k=5) == pytest.approx((1 + 2 / 3) / 2)
    assert average_precision(["x", "a"], {"a"}, k=1) == 0.0


def test_reciprocal_rank() -> None:
    assert reciprocal_rank(["x", "y", "a"], {"a"}) == pytest.approx(1 / 3)
    assert reciprocal_rank([], {"a"}) == 0.0


def test_score_run_skips_unjudged_and_counts_answers() -> None:
    qrels = {"q1": {"a"}, "q2": {"b"}, "q3": set()}
    results = {
        "q1": Ranked(["a", "b"], answered=True),
        "q2": Ranked(["a", "b"], answered=True),
        "q3": Ranked(["a"], answered=True),
    }
    scores = score_run(results, qrels)
    assert scores["map@5"] == pytest.approx(0.75)
    assert scores["p@1"] == pytest.approx(0.5)
    assert scores["r@5"] == pytest.approx(1.0)
    assert scores["answer_precision"] == pytest.approx(0.5)
    assert scores["answer_coverage"] == pytest.approx(1.0)
