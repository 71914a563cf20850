"""Gradient-boosted decision trees in plain numpy: the confidence's model, its fit and its use.

A linear confidence cannot say "a strong lead matters only when the best candidate also covers
the message": the trees can. Each tree is complete to `depth`, stored level by level (node `n`
has children `2n + 1` and `2n + 2`); a row goes right where its input is at or above the node's
threshold. A node that found no useful split has an infinite threshold, so every row goes left.

The fit is the usual second-order boosting of the logistic loss on histograms of the inputs
(quantile bins), with a ridge on the leaf values; it is deterministic: no sampling.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Forest:
    """Boosted trees: logit = base + rate * sum of every tree's leaf value."""

    base: float
    rate: float
    depth: int
    inputs: tuple[str, ...]
    features: IntArray  # [trees, 2**depth - 1]: the input each node looks at
    thresholds: FloatArray  # [trees, 2**depth - 1]: go right at or above it
    leaves: FloatArray  # [trees, 2**depth]

    def logits(self, rows: npt.ArrayLike) -> FloatArray:
        """The logit of every row of `rows` [n, len(inputs)]."""
        values = np.atleast_2d(np.asarray(rows, dtype=np.float64))
        trees = self.features.shape[0]
        if trees == 0:
            return np.full(values.shape[0], self.base)
        tree = np.arange(trees)
        node = np.zeros((values.shape[0], trees), dtype=np.int64)
        for _ in range(self.depth):
            picked = np.take_along_axis(values, self.features[tree, node], axis=1)
            node = 2 * node + 1 + (picked >= self.thresholds[tree, node])
        leaf = self.leaves[tree, node - (2**self.depth - 1)]
        total: FloatArray = self.base + self.rate * leaf.sum(axis=1)
        return total

    def probability(self, row: npt.ArrayLike) -> float:
        logit = float(self.logits(row)[0])
        return 1.0 / (1.0 + float(np.exp(-max(min(logit, 50.0), -50.0))))

    def to_json(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "rate": self.rate,
            "depth": self.depth,
            "inputs": list(self.inputs),
            "trees": [
                {
                    "features": [int(f) for f in features],
                    "thresholds": [None if np.isinf(t) else float(t) for t in thresholds],
                    "leaves": [round(float(v), 6) for v in leaves],
                }
                for features, thresholds, leaves in zip(
                    self.features, self.thresholds, self.leaves, strict=True
                )
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Forest:
        depth = int(data["depth"])
        trees = data["trees"]
        nodes = 2**depth - 1
        features = np.asarray([t["features"] for t in trees], dtype=np.int64).reshape(-1, nodes)
        thresholds = np.asarray(
            [[np.inf if v is None else float(v) for v in t["thresholds"]] for t in trees],
            dtype=np.float64,
        ).reshape(-1, nodes)
        leaves = np.asarray([t["leaves"] for t in trees], dtype=np.float64).reshape(-1, nodes + 1)
        return cls(
            float(data["base"]), float(data["rate"]), depth, tuple(data["inputs"]),
            features, thresholds, leaves,
        )  # fmt: skip

    def dumps(self) -> str:
        return json.dumps(self.to_json(), separators=(",", ":")) + "\n"


@dataclass(frozen=True)
class Settings:
    """How a forest is fitted: rounds, learning rate, tree depth, quantile bins per input, the
    least hessian (weighted p(1-p)) a leaf must hold, and the ridge on leaf values."""

    rounds: int = 300
    rate: float = 0.05
    depth: int = 4
    bins: int = 32
    min_hessian: float = 0.2
    l2: float = 1.0


def _edges(column: FloatArray, bins: int) -> FloatArray:
    cuts = np.quantile(column, np.linspace(0.0, 1.0, bins + 1)[1:-1])
    edges: FloatArray = np.unique(cuts)
    return edges


def fit_forest(
    inputs: npt.ArrayLike,
    labels: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
    names: tuple[str, ...] = (),
    settings: Settings | None = None,
) -> Forest:
    """Boosted trees for P(label) given the inputs, each row counting `weights[row]` times."""
    conf = settings or Settings()
    values = np.asarray(inputs, dtype=np.float64)
    target = np.asarray(labels, dtype=np.float64)
    rows, columns = values.shape
    counts = np.ones(rows) if weights is None else np.asarray(weights, dtype=np.float64)
    edges = [_edges(values[:, j], conf.bins) for j in range(columns)]
    width = max((len(e) for e in edges), default=0) + 1
    binned = (
        np.stack(
            [np.searchsorted(edges[j], values[:, j], side="right") for j in range(columns)], axis=1
        )
        + (np.arange(columns) * width)[None, :]
    )
    prior = float(np.clip((counts * target).sum() / counts.sum(), 1e-4, 1 - 1e-4))
    base = float(np.log(prior / (1 - prior)))
    score = np.full(rows, base)
    nodes = 2**conf.depth - 1
    features = np.zeros((conf.rounds, nodes), dtype=np.int64)
    thresholds = np.full((conf.rounds, nodes), np.inf)
    leaves = np.zeros((conf.rounds, nodes + 1))
    for tree in range(conf.rounds):
        prob = 1.0 / (1.0 + np.exp(-score))
        grad = counts * (prob - target)
        hess = counts * prob * (1 - prob)
        node_of = np.zeros(rows, dtype=np.int64)
        for node in range(nodes):
            members = np.flatnonzero(node_of == node)
            split = _best_split(binned[members], grad[members], hess[members], width, conf)
            if split is None:
                continue
            column, cut = split
            features[tree, node] = column
            thresholds[tree, node] = edges[column][cut]
            right = members[binned[members, column] - column * width > cut]
            node_of[members] = 2 * node + 1
            node_of[right] = 2 * node + 2
        for node in range(nodes):  # rows left at a node that did not split go on left
            node_of[node_of == node] = 2 * node + 1
        leaf = node_of - nodes
        g = np.bincount(leaf, weights=grad, minlength=nodes + 1)
        h = np.bincount(leaf, weights=hess, minlength=nodes + 1)
        leaves[tree] = np.round(-g / (h + conf.l2), 6)
        score = score + conf.rate * leaves[tree, leaf]
    return Forest(base, conf.rate, conf.depth, names, features, thresholds, leaves)


def _best_split(
    binned: IntArray, grad: FloatArray, hess: FloatArray, width: int, conf: Settings
) -> tuple[int, int] | None:
    """The (input, bin) split with the largest gain, or None when none gains."""
    if len(grad) < 2:
        return None
    columns = binned.shape[1]
    size = columns * width
    flat = binned.ravel()
    g = np.bincount(flat, weights=np.repeat(grad, columns), minlength=size).reshape(columns, -1)
    h = np.bincount(flat, weights=np.repeat(hess, columns), minlength=size).reshape(columns, -1)
    left_g = np.cumsum(g, axis=1)[:, :-1]
    left_h = np.cumsum(h, axis=1)[:, :-1]
    total_g, total_h = float(grad.sum()), float(hess.sum())
    gain = (
        left_g**2 / (left_h + conf.l2)
        + (total_g - left_g) ** 2 / (total_h - left_h + conf.l2)
        - total_g**2 / (total_h + conf.l2)
    )
    usable = (left_h >= conf.min_hessian) & (total_h - left_h >= conf.min_hessian)
    gain = np.where(usable, gain, 0.0)
    best = int(np.argmax(gain))
    if gain.flat[best] <= 1e-9:
        return None
    return best // (width - 1), best % (width - 1)
