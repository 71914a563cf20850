"""The learned part: how features combine into a ranking, and how sure the top candidate is.

Both are linear models fitted on the training splits of the CLEF CheckThat! 2020 and 2022 English
claim-retrieval data (tweets against Snopes fact-checks) and checked on their dev splits:

- the ranker is a listwise softmax over the first stage's candidates (cross-entropy towards the
  fact-check the tweet repeats);
- the confidence is a logistic regression on the ranked list (best score, its margin over the
  second, its share of the softmax, how much of the message and of the claim it covers), labelled
  with whether the best candidate is right. Half of its training lists had the right fact-check
  removed from the library, so that a message the library has no answer for scores low too.

The weights are plain numbers so that a reader can see what matters. Refitting them means running
both fits again on features computed by this package over the benchmark's training splits (plain
numpy gradient descent, about a minute), then choosing thresholds on the dev splits.
"""

from __future__ import annotations

import math

import numpy as np

from bot.matching.features import COLUMN, NAMES
from bot.matching.index import FloatArray

# One weight per feature of features.NAMES.
RANK_WEIGHTS: dict[str, float] = {
    "bm25_rel": 7.981,
    "bm25_frac": 1.582,
    "cov_claim": 1.418,
    "cov_title": 0.327,
    "cov_query": 3.804,
    "set_claim": 1.957,
    "set_title": 3.272,
    "num_hit": 0.566,
    "num_missing": -1.394,
    "entity": 0.885,
    "signature": 2.651,
    "year_hit": 0.893,
    "doc_names": 0.493,
}
CONFIDENCE_BIAS = -6.988
CONFIDENCE_WEIGHTS: dict[str, float] = {
    "top": 0.134,  # the best candidate's ranking score
    "margin": -0.327,  # its lead over the second (capped at 5); p1 already carries most of it
    "p1": 6.112,  # its share of the softmax over all candidates
    "cov_claim": 0.676,
    "cov_title": 1.026,
    "set_claim": 0.233,
    "cov_query": 2.325,
}
_MARGIN_CAP = 5.0
# The confidence was fitted on shortlists of 100 candidates. A small library gives shorter
# lists, in which any weak match would look unrivalled; the missing places are filled with
# candidates as strong as a typical shortlist tail (10th percentile of the mean logit at ranks
# 50-100 on the training data), so "p1" means the same in a library of 20 and of 100,000.
SHORTLIST = 100
TAIL_LOGIT = 3.8
_RANK = np.asarray([RANK_WEIGHTS[name] for name in NAMES], dtype=np.float32)


def rank_scores(features: FloatArray) -> FloatArray:
    """The ranking score (a logit) of every candidate."""
    scores: FloatArray = features @ _RANK
    return scores


def confidence(features: FloatArray, scores: FloatArray, best: int, second: int | None) -> float:
    """The probability that candidate `best` is the fact-check the message repeats."""
    top = float(scores[best])
    margin = _MARGIN_CAP if second is None else min(top - float(scores[second]), _MARGIN_CAP)
    padding = max(0, SHORTLIST - len(scores)) * math.exp(min(TAIL_LOGIT - top, 50.0))
    share = 1.0 / (float(np.exp(scores - top).sum()) + padding)
    row = features[best]
    values = {
        "top": top,
        "margin": margin,
        "p1": share,
        "cov_claim": float(row[COLUMN["cov_claim"]]),
        "cov_title": float(row[COLUMN["cov_title"]]),
        "set_claim": float(row[COLUMN["set_claim"]]),
        "cov_query": float(row[COLUMN["cov_query"]]),
    }
    logit = CONFIDENCE_BIAS + sum(CONFIDENCE_WEIGHTS[k] * v for k, v in values.items())
    return 1.0 / (1.0 + math.exp(-logit))
