"""The learned part: how features combine into a ranking, and how sure the top candidate is.

Both are linear models fitted by bench/fit_matching.py (run it to refit; it prints the constants
below in this form) and checked on the dev splits:

- the ranker is a listwise softmax over the first stage's candidates of every training tweet of
  the CLEF CheckThat! 2020 and 2022 English claim-retrieval data (tweets against Snopes
  fact-checks), cross-entropy towards the fact-check the tweet repeats;
- the confidence is a logistic regression on the ranked list (best score, its margin over the
  second, its share of the softmax, and the best candidate's features: how much of the message
  and of the claim it covers, and whether the message says what the claim says about its
  subject: predicate words, word pairs, numbers, negation), labelled with whether the best
  candidate is right. Its negatives: half of the training tweets with their right fact-check
  removed from the library, and, on the bundled library, the tune split of the near-miss set
  (true news and chat on the library's topics) and every own claim and phrasing with its
  fact-check removed; its in-library positives: those claims and phrasings as they are.

The weights are plain numbers so that a reader can see what matters.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from bot.matching.features import COLUMN, NAMES
from bot.matching.index import FloatArray

# One weight per feature of features.NAMES.
RANK_WEIGHTS: dict[str, float] = {
    "bm25_rel": 9.029,
    "bm25_frac": 1.276,
    "cov_claim": 0.642,
    "cov_title": -1.218,
    "cov_query": 4.576,
    "set_claim": 2.553,
    "set_title": 4.876,
    "num_hit": 1.082,
    "num_missing": -1.846,
    "entity": 1.296,
    "signature": 2.837,
    "year_hit": 0.760,
    "doc_names": 0.486,
    "pred_claim": -0.128,
    "pred_query": 2.828,
    "num_extra": 1.280,
    "negation": -0.027,
    "shared": -1.590,
    "phrase": 0.188,
}
CONFIDENCE_BIAS = -11.170
CONFIDENCE_WEIGHTS: dict[str, float] = {
    "top": 0.313,
    "margin": 0.123,
    "p1": 0.918,
    "cov_claim": 1.817,
    "cov_title": 4.780,
    "set_claim": 1.673,
    "cov_query": -3.317,
    "pred_claim": 1.630,
    "pred_query": 1.488,
    "num_extra": -1.163,
    "negation": -0.149,
    "doc_names": 0.381,
    "shared": 1.187,
    "phrase": 0.453,
}
# The confidence's inputs: its own three, and features of the best candidate (features.NAMES).
CONFIDENCE_INPUTS = (
    *("top", "margin", "p1", "cov_claim", "cov_title", "set_claim", "cov_query"),
    *("pred_claim", "pred_query", "num_extra", "negation", "doc_names", "shared", "phrase"),
)
MARGIN_CAP = 5.0
# The confidence was fitted on shortlists of 100 candidates. A small library gives shorter
# lists, in which any weak match would look unrivalled; the missing places are filled with
# candidates as strong as a typical shortlist tail (10th percentile of the mean logit at ranks
# 50-100 on the training data), so "p1" means the same in a library of 20 and of 100,000.
SHORTLIST = 100
TAIL_LOGIT = 4.1


def confidence_inputs(
    features: FloatArray, scores: FloatArray, best: int, second: int | None, tail_logit: float
) -> dict[str, float]:
    """What the confidence reads from a ranked shortlist (see CONFIDENCE_INPUTS)."""
    top = float(scores[best])
    margin = MARGIN_CAP if second is None else min(top - float(scores[second]), MARGIN_CAP)
    padding = max(0, SHORTLIST - len(scores)) * math.exp(min(tail_logit - top, 50.0))
    share = 1.0 / (float(np.exp(np.minimum(scores - top, 0.0)).sum()) + padding)
    row = features[best]
    own = {"top": top, "margin": margin, "p1": share}
    return {
        name: own[name] if name in own else float(row[COLUMN[name]]) for name in CONFIDENCE_INPUTS
    }


@dataclass(frozen=True)
class Model:
    """The learned constants as one value, so that a fit can be tried without editing this file."""

    rank: Mapping[str, float] = field(default_factory=lambda: dict(RANK_WEIGHTS))
    bias: float = CONFIDENCE_BIAS
    weights: Mapping[str, float] = field(default_factory=lambda: dict(CONFIDENCE_WEIGHTS))
    tail_logit: float = TAIL_LOGIT
    _vector: FloatArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        vector = np.asarray([self.rank[name] for name in NAMES], dtype=np.float32)
        object.__setattr__(self, "_vector", vector)

    def rank_scores(self, features: FloatArray) -> FloatArray:
        """The ranking score (a logit) of every candidate."""
        scores: FloatArray = features @ self._vector
        return scores

    def confidence(
        self, features: FloatArray, scores: FloatArray, best: int, second: int | None
    ) -> float:
        """The probability that candidate `best` is the fact-check the message repeats."""
        values = confidence_inputs(features, scores, best, second, self.tail_logit)
        logit = self.bias + sum(self.weights[k] * v for k, v in values.items())
        return 1.0 / (1.0 + math.exp(-max(min(logit, 50.0), -50.0)))


DEFAULT = Model()


def rank_scores(features: FloatArray) -> FloatArray:
    """The ranking score (a logit) of every candidate, with the fitted weights."""
    return DEFAULT.rank_scores(features)


def confidence(features: FloatArray, scores: FloatArray, best: int, second: int | None) -> float:
    """The probability that candidate `best` is right, with the fitted weights."""
    return DEFAULT.confidence(features, scores, best, second)
