"""Ranking metrics of the CheckThat! claim-retrieval task, computed the way its scorer does.

MAP@k divides a query's precision sum over the first k ranks by its number of relevant claims;
queries without any relevant claim are skipped. Answer precision and coverage measure the tier
logic: of all queries, the share answered, and of those, the share whose answer was relevant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Ranked:
    """One query's outcome: the ranked document ids and whether the matcher answered."""

    ids: Sequence[str]
    answered: bool = False


def average_precision(ranked: Sequence[str], relevant: set[str] | frozenset[str], k: int) -> float:
    if not relevant:
        return 0.0
    hits = 0
    total = 0.0
    seen: set[str] = set()
    for rank, doc in enumerate(ranked[:k], start=1):
        if doc in relevant and doc not in seen:
            hits += 1
            total += hits / rank
        seen.add(doc)
    return total / len(relevant)


def reciprocal_rank(ranked: Sequence[str], relevant: set[str] | frozenset[str]) -> float:
    for rank, doc in enumerate(ranked, start=1):
        if doc in relevant:
            return 1.0 / rank
    return 0.0


def score_run(
    results: Mapping[str, Ranked], qrels: Mapping[str, set[str]], k: int = 5
) -> dict[str, float]:
    """MAP@k, MRR, P@1, R@k, answer precision and coverage over the judged queries."""
    judged = [qid for qid, rel in qrels.items() if rel]
    n = len(judged)
    if n == 0:
        return {
            f"map@{k}": 0.0,
            "mrr": 0.0,
            "p@1": 0.0,
            f"r@{k}": 0.0,
            "answer_precision": 0.0,
            "answer_coverage": 0.0,
        }
    ap = rr = p1 = recall = 0.0
    answered = correct = 0
    for qid in judged:
        relevant = qrels[qid]
        outcome = results.get(qid, Ranked(()))
        ranked = list(outcome.ids)
        ap += average_precision(ranked, relevant, k)
        rr += reciprocal_rank(ranked, relevant)
        top_hit = bool(ranked) and ranked[0] in relevant
        p1 += top_hit
        recall += len(relevant.intersection(ranked[:k])) / len(relevant)
        if outcome.answered:
            answered += 1
            correct += top_hit
    return {
        f"map@{k}": ap / n,
        "mrr": rr / n,
        "p@1": p1 / n,
        f"r@{k}": recall / n,
        "answer_precision": correct / answered if answered else 1.0,
        "answer_coverage": answered / n,
    }
