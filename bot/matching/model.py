"""The learned part: how features combine into a ranking, and how sure the top candidate is.

Both are fitted by bench/fit_matching.py (run it to refit; it prints RANK_WEIGHTS and TAIL_LOGIT
in this form and, with --write, writes the trees of the confidence to confidence.json beside this
file) and checked on the dev splits:

- the ranker is linear: a listwise softmax over the first stage's candidates of every training
  tweet of the CLEF CheckThat! 2020 and 2022 English claim-retrieval data (tweets against Snopes
  fact-checks), cross-entropy towards the fact-check the tweet repeats;
- the confidence is boosted decision trees (boost.py) on the ranked list: the best score, its
  margins over the next ones, its share of the softmax, how many rivals come close, and every
  feature of the best candidate, of the second, and the best one's lead over ranks 2-10 (how
  much of the message and of the claim it covers, whether the message says what the claim says
  about its subject: predicate words, word pairs, numbers, negation). Labelled with whether the
  best candidate is right. A linear confidence had to choose between answering paraphrases and
  keeping quiet on related claims; trees can weigh a lead by the coverage behind it. Its
  negatives: every training tweet with its right fact-checks removed from the library, and, on
  the bundled library, the tune split of the near-miss set (true news and chat on the library's
  topics) and every own claim and phrasing (as written and misspelt) with its fact-check
  removed; its positives: the training tweets with the library whole, and those claims,
  phrasings and tune paraphrases as they are.

With the optional sentence-embedding model (semantic.py) one more feature, the cosine of the
message with the candidate's closest phrasing, is read, and a second model fitted the same way
with it (`--semantic`) ranks and decides, with thresholds chosen for it: semantic.json holds
its weights, trees and thresholds. Without the model the cosine is 0 and weighs nothing; a
message the model cannot read (not in Latin script) is ranked by the lexical model alone, so the
semantic fit learns from English messages only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.matching.boost import Forest
from bot.matching.features import COLUMN, NAMES
from bot.matching.index import FloatArray
from bot.matching.types import Thresholds

# One weight per feature of features.NAMES.
RANK_WEIGHTS: dict[str, float] = {
    "bm25_rel": 9.123,
    "bm25_frac": 1.240,
    "cov_claim": 0.654,
    "cov_title": -1.280,
    "cov_query": 4.692,
    "set_claim": 2.517,
    "set_title": 4.934,
    "num_hit": 1.200,
    "num_missing": -1.823,
    "entity": 1.159,
    "signature": 2.787,
    "year_hit": 0.702,
    "doc_names": 0.477,
    "pred_claim": -0.141,
    "pred_query": 2.294,
    "num_extra": 1.108,
    "negation": -0.021,
    "shared": -1.607,
    "phrase": 0.063,
    "cosine": 0.0,
}
MARGIN_CAP = 5.0
# The confidence was fitted on shortlists of 100 candidates. A small library gives shorter
# lists, in which any weak match would look unrivalled; the missing places are filled with
# candidates as strong as a typical shortlist tail (10th percentile of the mean logit at ranks
# 50-100 on the training data), so "p1" means the same in a library of 20 and of 100,000.
SHORTLIST = 100
TAIL_LOGIT = 4.1


# The confidence's own inputs, read from the ranked list; then every feature (features.NAMES) of
# the best candidate, of the second, and the best's lead over the strongest of ranks 2-10 in it.
OWN_INPUTS = ("top", "margin", "p1", "gap3", "gap5", "gap10", "close", "strong", "cov_query10")
CONFIDENCE_INPUTS = (
    *OWN_INPUTS,
    *(f"best.{name}" for name in NAMES),
    *(f"second.{name}" for name in NAMES),
    *(f"lead.{name}" for name in NAMES),
)
RIVALS = 10
FOREST_FILE = Path(__file__).with_name("confidence.json")


def confidence_inputs(features: FloatArray, scores: FloatArray, tail_logit: float) -> FloatArray:
    """What the confidence reads from a shortlist (see CONFIDENCE_INPUTS), in that order.

    Places a short shortlist lacks count as candidates at `tail_logit` for the margins and
    gaps, and with no features for the second candidate."""
    order = np.argsort(-scores, kind="stable")
    best = int(order[0])
    top = float(scores[best])
    ranked = [float(scores[i]) for i in order[:RIVALS]]
    ranked += [min(tail_logit, top)] * (RIVALS - len(ranked))
    padding = max(0, SHORTLIST - len(scores)) * math.exp(min(tail_logit - top, 50.0))
    share = 1.0 / (float(np.exp(np.minimum(scores - top, 0.0)).sum()) + padding)
    column = COLUMN["cov_query"]
    rivals = order[1:RIVALS]
    own = [
        top,
        min(top - ranked[1], MARGIN_CAP),
        share,
        min(top - ranked[2], 2 * MARGIN_CAP),
        min(top - ranked[4], 2 * MARGIN_CAP),
        min(top - ranked[9], 2 * MARGIN_CAP),
        float((scores > top - 1.0).sum()),
        float((features[:, COLUMN["bm25_rel"]] > 0.8).sum()),
        float(features[order[:RIVALS], column].max()),
    ]
    row = features[best].astype(np.float64)
    width = features.shape[1]
    second = features[order[1]].astype(np.float64) if len(order) > 1 else np.zeros(width)
    strongest = features[rivals].max(axis=0).astype(np.float64) if len(rivals) else np.zeros(width)
    return np.concatenate([np.asarray(own), row, second, row - strongest])


def load_forest(path: Path = FOREST_FILE) -> Forest:
    """The fitted confidence (bench/fit_matching.py --write writes it)."""
    return Forest.from_json(json.loads(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Model:
    """The learned constants as one value, so that a fit can be tried without editing this file."""

    rank: Mapping[str, float] = field(default_factory=lambda: dict(RANK_WEIGHTS))
    forest: Forest = field(default_factory=load_forest)
    tail_logit: float = TAIL_LOGIT
    _vector: FloatArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        vector = np.asarray([self.rank[name] for name in NAMES], dtype=np.float32)
        object.__setattr__(self, "_vector", vector)

    def rank_scores(self, features: FloatArray) -> FloatArray:
        """The ranking score (a logit) of every candidate."""
        scores: FloatArray = features @ self._vector
        return scores

    def confidence(self, features: FloatArray, scores: FloatArray) -> float:
        """The probability that the best-scored candidate is the fact-check the message repeats."""
        return self.forest.probability(confidence_inputs(features, scores, self.tail_logit))


DEFAULT = Model()

# The model fitted with the sentence-embedding feature ("cosine"), used when the bot runs with
# the optional model (semantic.py): bench/fit_matching.py --semantic --write writes the file.
SEMANTIC_FILE = Path(__file__).with_name("semantic.json")


def load_semantic(path: Path = SEMANTIC_FILE) -> tuple[Model, Thresholds]:
    """The model fitted with the sentence embeddings, and the thresholds chosen for it."""
    data = json.loads(path.read_text(encoding="utf-8"))
    fitted = Model(
        rank={name: float(data["rank"][name]) for name in NAMES},
        forest=Forest.from_json(data["forest"]),
        tail_logit=float(data["tail_logit"]),
    )
    chosen = data["thresholds"]
    return fitted, Thresholds(answer=float(chosen["answer"]), suggest=float(chosen["suggest"]))


def chosen_thresholds(semantic: bool) -> Thresholds:
    """The thresholds chosen for the lexical model (types.Thresholds) or the semantic one."""
    return load_semantic()[1] if semantic else Thresholds()


def dumps_semantic(fitted: Model, limits: Thresholds) -> str:
    """The file `load_semantic` reads."""
    data = {
        "rank": {name: round(float(fitted.rank[name]), 3) + 0.0 for name in NAMES},
        "tail_logit": fitted.tail_logit,
        "thresholds": {"answer": limits.answer, "suggest": limits.suggest},
        "forest": fitted.forest.to_json(),
    }
    return json.dumps(data, separators=(",", ":")) + "\n"


def rank_scores(features: FloatArray) -> FloatArray:
    """The ranking score (a logit) of every candidate, with the fitted weights."""
    return DEFAULT.rank_scores(features)


def confidence(features: FloatArray, scores: FloatArray) -> float:
    """The probability that the best-scored candidate is right, with the fitted model."""
    return DEFAULT.confidence(features, scores)
