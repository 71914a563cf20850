"""bench/fit_matching.py fits weights that rank better than the first stage alone.

Slow (builds the 10k-claim index of CheckThat! 2020): run with `pytest -m slow`. Skipped when
the shared benchmark data is not on this machine.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from bot.matching import boost, fit
from bot.matching.features import NAMES
from bot.matching.model import CONFIDENCE_INPUTS
from tests.matching.bench_script import load

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "claim-matching"


def _script() -> ModuleType:
    return load("fit_matching")


def test_ranker_fit_recovers_the_feature_that_decides() -> None:
    # Synthetic lists in which feature 0 marks the right candidate and feature 1 is noise.
    rng = np.random.default_rng(1)
    items = []
    for _ in range(60):
        matrix = rng.random((20, 2))
        right = np.zeros(20, dtype=bool)
        right[rng.integers(20)] = True
        matrix[right, 0] += 1.0
        items.append((matrix, right, np.zeros(20), 1))
    lists = fit.pack(items, 20)
    weights = fit.fit_ranker(lists, steps=400)
    assert weights[0] > 2.0 > abs(weights[1])
    assert fit.mean_average_precision(lists, fit.logits(lists, weights)) > 0.95
    assert fit.mean_average_precision(lists, fit.first_stage_order(lists)) < 0.5


@pytest.mark.slow
def test_fit_on_a_sample_beats_bm25_on_it() -> None:
    if not (DATA / "ct2020" / "train.queries.jsonl").is_file():
        pytest.skip(f"benchmark data not found at {DATA}")
    script = _script()
    splits = script.load_splits(DATA, "train", 120, {})
    full, masked = script.collect(splits)
    fitted = script.fit_model(full, masked, settings=boost.Settings(rounds=20))
    assert set(fitted.rank) == set(NAMES)
    assert fitted.forest.inputs == CONFIDENCE_INPUTS
    values = [*fitted.rank.values(), fitted.forest.base, fitted.tail_logit]
    assert all(math.isfinite(v) for v in values)
    assert np.isfinite(fitted.forest.leaves).all()
    lists = fit.pack(full, 100)
    weights = np.asarray([fitted.rank[name] for name in NAMES])
    ranked = fit.mean_average_precision(lists, fit.logits(lists, weights))
    bm25 = fit.mean_average_precision(lists, fit.first_stage_order(lists))
    assert ranked > bm25 + 0.02
