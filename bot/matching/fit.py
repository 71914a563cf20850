"""Fitting the learned constants of model.py from feature lists (plain numpy, no I/O).

`bench/fit_matching.py` computes the lists with this package over the benchmark's training splits
and calls these functions; they live here so that the tests can fit on a small sample too.

- `fit_ranker`: listwise softmax over each shortlist, cross-entropy towards the right fact-checks
  (their total probability), L2-regularised, full-batch Adam.
- `tail_logit`: the padding logit of model.TAIL_LOGIT.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Lists:
    """Shortlists padded into one batch: features [lists, places, features], which places hold a
    candidate, which candidates are right, a fixed logit bonus per place (the user's language)
    and each list's number of right fact-checks in the whole library (for MAP)."""

    features: Array
    valid: Mask
    gold: Mask
    bonus: Array
    relevant: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.features.shape[0])

    def subset(self, keep: Mask) -> Lists:
        return Lists(
            self.features[keep], self.valid[keep], self.gold[keep], self.bonus[keep],
            self.relevant[keep],
        )  # fmt: skip


def pack(
    items: Sequence[tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike, int]], width: int
) -> Lists:
    """Lists from (features [n, F], right [n], bonus [n], relevant) tuples, padded to `width`."""
    count = len(items)
    columns = int(np.asarray(items[0][0]).shape[1]) if items else 0
    features = np.zeros((count, width, columns))
    valid = np.zeros((count, width), dtype=bool)
    gold = np.zeros((count, width), dtype=bool)
    bonus = np.zeros((count, width))
    relevant = np.zeros(count, dtype=np.int64)
    for row, (matrix, right, extra, total) in enumerate(items):
        values = np.asarray(matrix, dtype=np.float64)[:width]
        n = values.shape[0]
        features[row, :n] = values
        valid[row, :n] = True
        gold[row, :n] = np.asarray(right, dtype=bool)[:n]
        bonus[row, :n] = np.asarray(extra, dtype=np.float64)[:n]
        relevant[row] = total
    return Lists(features, valid, gold, bonus, relevant)


def logits(lists: Lists, weights: Array) -> Array:
    """Every candidate's ranking logit; padding places get -inf."""
    scores = lists.features @ weights + lists.bonus
    return np.where(lists.valid, scores, -np.inf)


def _softmax(scores: Array) -> Array:
    top = scores.max(axis=1, keepdims=True)
    exp = np.exp(scores - np.where(np.isfinite(top), top, 0.0))
    exp = np.where(np.isfinite(scores), exp, 0.0)
    total: Array = exp / np.maximum(exp.sum(axis=1, keepdims=True), 1e-300)
    return total


def ranker_loss(lists: Lists, weights: Array, l2: float) -> tuple[float, Array]:
    """Mean cross-entropy of the right candidates' total probability, and its gradient."""
    prob = _softmax(logits(lists, weights))
    right = np.maximum((prob * lists.gold).sum(axis=1), 1e-12)
    target = prob * lists.gold / right[:, None]
    loss = float(-np.log(right).mean() + l2 * (weights @ weights))
    delta = (prob - target) / len(lists)
    grad: Array = np.einsum("qk,qkf->f", delta, lists.features) + 2 * l2 * weights
    return loss, grad


def fit_ranker(
    lists: Lists, l2: float = 1e-4, steps: int = 3000, rate: float = 0.05, seed: int = 0
) -> Array:
    """Weights of the listwise ranker, fitted on the lists that hold a right candidate."""
    usable = lists.subset(np.asarray(lists.gold.any(axis=1), dtype=bool))
    columns = usable.features.shape[2]
    weights: Array = np.random.default_rng(seed).normal(0.0, 0.01, size=(columns,))
    first = np.zeros(columns)
    second = np.zeros(columns)
    beta1, beta2 = 0.9, 0.999
    for step in range(1, steps + 1):
        _, grad = ranker_loss(usable, weights, l2)
        first = beta1 * first + (1 - beta1) * grad
        second = beta2 * second + (1 - beta2) * grad * grad
        unbiased = first / (1 - beta1**step)
        scale = np.sqrt(second / (1 - beta2**step)) + 1e-8
        weights = weights - rate * unbiased / scale
    return weights


def mean_average_precision(lists: Lists, scores: Array, k: int = 5) -> float:
    """MAP@k of the lists ordered by `scores` (higher first; ties keep the list's order)."""
    order = np.argsort(-np.where(lists.valid, scores, -np.inf), axis=1, kind="stable")[:, :k]
    hits = np.take_along_axis(lists.gold & lists.valid, order, axis=1).astype(np.float64)
    found = np.cumsum(hits, axis=1)
    ranks = np.arange(1, hits.shape[1] + 1)
    precision = (found / ranks * hits).sum(axis=1)
    judged = lists.relevant > 0
    if not judged.any():
        return 0.0
    return float((precision[judged] / lists.relevant[judged]).mean())


def first_stage_order(lists: Lists) -> Array:
    """Scores that keep each list in its first-stage (BM25F) order."""
    places = lists.features.shape[1]
    order: Array = np.broadcast_to(-np.arange(places, dtype=np.float64), lists.valid.shape)
    return order


def tail_logit(lists: Lists, weights: Array, share: float = 0.10) -> float:
    """The `share` quantile of the mean logit at ranks 50-100 of the full shortlists."""
    full = np.asarray(lists.valid.all(axis=1), dtype=bool)
    if not full.any():
        return 0.0
    scores = -np.sort(-logits(lists.subset(full), weights), axis=1)
    return float(np.quantile(scores[:, 49:100].mean(axis=1), share))
