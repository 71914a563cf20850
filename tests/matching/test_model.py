"""The learned weights cover every feature, and the confidence behaves like a probability."""

from __future__ import annotations

import numpy as np

from bot.matching.features import COLUMN, NAMES
from bot.matching.model import RANK_WEIGHTS, confidence, rank_scores


def test_every_feature_has_a_weight() -> None:
    assert set(RANK_WEIGHTS) == set(NAMES)


def test_confidence_grows_with_the_lead_over_the_rest() -> None:
    rows = np.full((3, len(NAMES)), 0.5, dtype=np.float32)
    close = np.asarray([20.0, 19.9, 19.8], dtype=np.float32)
    clear = np.asarray([20.0, 12.0, 11.0], dtype=np.float32)
    assert 0.0 < confidence(rows, close, 0, 1) < confidence(rows, clear, 0, 1) < 1.0


def test_a_short_shortlist_does_not_make_a_weak_match_sure() -> None:
    # A candidate that covers half of the message and the claim, alone in its shortlist: sure
    # only when its ranking score is as strong as a full shortlist's leader would be.
    row = np.full((1, len(NAMES)), 0.5, dtype=np.float32)
    weak = np.asarray([4.0], dtype=np.float32)
    strong = np.asarray([18.0], dtype=np.float32)
    assert confidence(row, weak, 0, None) < 0.05
    assert confidence(row, strong, 0, None) > 0.5


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
