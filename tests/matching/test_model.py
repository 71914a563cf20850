"""The learned weights cover every feature, and the confidence behaves like a probability."""

from __future__ import annotations

import numpy as np

from bot.matching.features import COLUMN, NAMES
from bot.matching.model import (
    CONFIDENCE_INPUTS,
    RANK_WEIGHTS,
    TAIL_LOGIT,
    confidence,
    confidence_inputs,
    load_forest,
    rank_scores,
)


def test_every_feature_has_a_weight() -> None:
    assert set(RANK_WEIGHTS) == set(NAMES)


def test_confidence_grows_with_the_lead_over_the_rest() -> None:
    rows = np.full((3, len(NAMES)), 0.5, dtype=np.float32)
    close = np.asarray([20.0, 19.9, 19.8], dtype=np.float32)
    clear = np.asarray([20.0, 12.0, 11.0], dtype=np.float32)
    assert 0.0 < confidence(rows, close) < confidence(rows, clear) < 1.0


def _alike(value: float, count: int = 1) -> np.ndarray:
    """`count` candidates covering `value` of the message and the claim in every respect, with
    no contradicting number or negation."""
    rows = np.full((count, len(NAMES)), value, dtype=np.float32)
    for name in ("num_missing", "num_extra", "negation"):
        rows[:, COLUMN[name]] = 0.0
    return rows


def test_a_short_shortlist_does_not_make_a_weak_match_sure() -> None:
    # Alone in its shortlist (a small library), a candidate is as sure as its evidence: the
    # missing places count as a full shortlist's tail, not as a clear lead.
    for value, below, above in ((0.1, 0.05, 0.0), (0.2, 0.05, 0.0), (0.9, 1.0, 0.9)):
        rows = _alike(value)
        assert above < confidence(rows, rank_scores(rows)) < below, value


def test_rivals_as_strong_as_the_best_lower_the_confidence() -> None:
    alone = _alike(0.5)
    crowd = _alike(0.5, 100)
    assert confidence(crowd, rank_scores(crowd)) < confidence(alone, rank_scores(alone)) - 0.2


def test_the_shipped_trees_read_the_inputs_the_code_computes() -> None:
    forest = load_forest()
    assert forest.inputs == CONFIDENCE_INPUTS
    assert int(forest.features.max()) < len(CONFIDENCE_INPUTS)
    rows = _alike(0.4, 7)
    scores = rank_scores(rows)
    assert confidence_inputs(rows, scores, TAIL_LOGIT).shape == (len(CONFIDENCE_INPUTS),)


def test_more_evidence_ranks_higher_and_missing_numbers_rank_lower() -> None:
    """Two candidates alike in every feature but one: the one whose claim the message covers
    more, or shares more numbers with, ranks first; one whose numbers the message lacks, last."""
    base = np.full((2, len(NAMES)), 0.3, dtype=np.float32)
    for name in ("cov_claim", "cov_query", "set_claim", "num_hit", "bm25_rel"):
        rows = base.copy()
        rows[0, COLUMN[name]] = 0.9
        scores = rank_scores(rows)
        assert scores[0] > scores[1], name
    rows = base.copy()
    rows[0, COLUMN["num_missing"]] = 1.0
    scores = rank_scores(rows)
    assert scores[0] < scores[1]
