"""The boosted trees of the confidence: they learn what a line cannot, and survive their file."""

from __future__ import annotations

import json

import numpy as np

from bot.matching.boost import Forest, Settings, fit_forest


def _interaction(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    # Right when the first two inputs are both high or both low: what one says depends on the
    # other, which no weighted sum can express.
    rng = np.random.default_rng(seed)
    inputs = rng.random((rows, 3))
    labels = (inputs[:, 0] > 0.5) == (inputs[:, 1] > 0.5)
    return inputs, labels


def test_trees_learn_an_interaction_a_line_cannot() -> None:
    inputs, labels = _interaction(2000, 1)
    forest = fit_forest(inputs, labels, names=("a", "b", "noise"), settings=Settings(rounds=60))
    test, truth = _interaction(1000, 2)
    predicted = forest.logits(test) > 0
    assert (predicted == truth).mean() > 0.95
    # A threshold on any weighted sum of the two does far worse.
    for a, b in ((1.0, 1.0), (1.0, -1.0), (1.0, 0.0)):
        mixed = a * test[:, 0] + b * test[:, 1]
        best = max(
            ((mixed > cut) == truth).mean()
            for cut in np.quantile(mixed, np.arange(0.05, 1.0, 0.05))
        )
        assert best < 0.8
    assert int(np.bincount(forest.features[forest.thresholds < np.inf]).argmin()) == 2


def test_weighting_the_negatives_up_lowers_the_probabilities() -> None:
    inputs, labels = _interaction(400, 3)
    plain = fit_forest(inputs, labels, settings=Settings(rounds=20))
    weights = np.where(labels, 1.0, 5.0)
    wary = fit_forest(inputs, labels, weights, settings=Settings(rounds=20))
    assert wary.logits(inputs).mean() < plain.logits(inputs).mean() - 0.2


def test_the_json_form_gives_the_same_logits() -> None:
    inputs, labels = _interaction(500, 4)
    forest = fit_forest(inputs, labels, names=("a", "b", "c"), settings=Settings(rounds=20))
    again = Forest.from_json(json.loads(forest.dumps()))
    assert again.inputs == ("a", "b", "c")
    assert np.array_equal(again.logits(inputs), forest.logits(inputs))
    assert 0.0 < again.probability(inputs[0]) < 1.0


def test_a_node_without_a_split_sends_every_row_left() -> None:
    # Constant labels: no split gains, every tree is a single leaf at the prior.
    inputs = np.random.default_rng(5).random((50, 2))
    forest = fit_forest(inputs, np.ones(50, dtype=bool), settings=Settings(rounds=3, depth=2))
    assert np.isinf(forest.thresholds).all()
    logits = forest.logits(inputs)
    assert np.allclose(logits, logits[0]) and logits[0] > 3.0
    empty = Forest.from_json({"base": -1.0, "rate": 0.1, "depth": 2, "inputs": [], "trees": []})
    assert empty.logits(inputs[:2]).tolist() == [-1.0, -1.0]
