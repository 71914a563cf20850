"""The BM25F index agrees with a direct computation of Okapi BM25 on one field."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bot.matching.index import Bm25Index, Field

DOCS = [
    ["vaccine", "chip", "track"],
    ["moon", "landing", "studio", "moon"],
    ["vaccine", "cause", "autism"],
    [],
]


def reference(query: list[str], k1: float = 1.2, b: float = 0.75) -> list[float]:
    n = len(DOCS)
    average = sum(len(d) for d in DOCS) / n
    scores = []
    for doc in DOCS:
        total = 0.0
        for term in set(query):
            df = sum(term in d for d in DOCS)
            tf = doc.count(term)
            if not tf:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            total += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(doc) / average))
        scores.append(total)
    return scores


@pytest.mark.parametrize("query", [["vaccine"], ["moon"], ["vaccine", "chip"], ["unknown"]])
def test_single_field_matches_okapi(query: list[str]) -> None:
    index = Bm25Index([[d] for d in DOCS], [Field(1.0)])
    scores = index.scores(index.term_ids(query))
    assert np.allclose(scores, reference(query), atol=1e-5)


def test_top_orders_by_score_and_drops_zero() -> None:
    index = Bm25Index([[d] for d in DOCS], [Field(1.0)])
    docs, scores = index.top(index.scores(index.term_ids(["vaccine", "chip"])), 10)
    assert docs.tolist() == [0, 2]
    assert scores[0] > scores[1] > 0


def test_field_weight_favours_the_heavier_field() -> None:
    docs = [[["moon"], []], [[], ["moon"]]]
    index = Bm25Index(docs, [Field(1.0), Field(2.0)])
    top, _ = index.top(index.scores(index.term_ids(["moon"])), 2)
    assert top.tolist() == [1, 0]


def test_query_term_weights_scale_scores() -> None:
    index = Bm25Index([[d] for d in DOCS], [Field(1.0)])
    terms = index.term_ids(["vaccine"])
    full = index.scores(terms)
    half = index.scores(terms, [0.5])
    assert np.allclose(half, full / 2)


def test_empty_index() -> None:
    index = Bm25Index([], [Field(1.0)])
    assert index.term_ids(["a"]) == []
    docs, _ = index.top(index.scores([]), 5)
    assert len(docs) == 0
