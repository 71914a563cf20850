"""`civicbot bench matching`: measure the matcher on a claim-retrieval benchmark.

Builds a library from a claims file, ranks every query and scores the ranking against TREC qrels
the way the CLEF CheckThat! scorer does (MAP@5, MRR, P@1, R@5), plus what matters to the bot: how
often the answer tier is right and how many messages it answers, and how fast it is. Each query is
ranked a second time with its right fact-checks masked out of the library (leave-gold-out), which
measures how often the bot answers (`absent_answered`) or offers candidates (`absent_suggested`)
when the library has no fact-check for the message. Masking covers the right ids and any other
entry with the very same claim text (the 2020 pool lists 184 claims twice under two ids);
`absent_answered_ids` masks the right ids alone.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bot.config import ConfigError, load_settings
from bot.matching import Document, Matcher, Tier
from bot.matching.evaluate import Ranked, score_run
from bot.matching.matcher import tier_of
from bot.matching.normalise import fold
from bot.matching.semantic import SemanticModelError, load_encoder

EXIT_USAGE = 2


class InputError(Exception):
    """A benchmark file is missing or malformed; the message names the file and line."""


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = sub.add_parser("bench", parents=[common], help="measure a component on a benchmark")
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
    matching = kinds.add_parser(
        "matching",
        parents=[common],
        help="claim matching quality and speed on a claim-retrieval benchmark",
        description="Rank QUERIES against CLAIMS and score them with QRELS.",
    )
    matching.add_argument("--claims", required=True, metavar="CLAIMS.jsonl")
    matching.add_argument("--queries", required=True, metavar="QUERIES.jsonl")
    matching.add_argument("--qrels", required=True, metavar="QRELS.tsv")
    matching.add_argument(
        "--semantic",
        action="store_true",
        help="with the sentence-embedding model (as matching.semantic: true)",
    )
    matching.add_argument("--json", action="store_true", help="end with one JSON line")
    matching.set_defaults(func=run_matching)


def _lines(path: str) -> Iterator[tuple[int, str]]:
    file = Path(path)
    if not file.is_file():
        raise InputError(f"{path}: file not found")
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield number, line


def _records(path: str, required: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    for number, line in _lines(path):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not valid JSON: {exc.msg}") from None
        if not isinstance(record, dict):
            raise InputError(f"{path}:{number}: expected a JSON object")
        for key in required:
            if not isinstance(record.get(key), str | int) or record.get(key) == "":
                raise InputError(f"{path}:{number}: missing or empty '{key}'")
        yield record


def read_claims(path: str) -> list[Document]:
    documents = []
    for record in _records(path, ("id", "text")):
        url = record.get("url")
        documents.append(
            Document(
                id=str(record["id"]),
                language=str(record.get("language") or "en"),
                claim=str(record["text"]),
                title=str(record.get("title") or ""),
                answer=str(record.get("subtitle") or ""),
                urls=(str(url),) if url else (),
            )
        )
    return documents


def read_queries(path: str) -> list[tuple[str, str]]:
    return [(str(r["id"]), str(r["text"])) for r in _records(path, ("id", "text"))]


def read_qrels(path: str) -> dict[str, set[str]]:
    qrels: dict[str, set[str]] = {}
    for number, line in _lines(path):
        parts = line.split()
        if len(parts) != 4:
            raise InputError(f"{path}:{number}: expected 'query_id 0 claim_id relevance'")
        query, _, claim, relevance = parts
        try:
            relevant = float(relevance) > 0
        except ValueError:
            raise InputError(f"{path}:{number}: relevance is not a number") from None
        judged = qrels.setdefault(query, set())
        if relevant:
            judged.add(claim)
    return qrels


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def gold_positions(documents: Sequence[Document]) -> dict[str, list[int]]:
    """For each document id, the positions to mask when it is a query's right fact-check: its
    own, and those of every document with the same claim (after folding), because a claim pool
    that lists one fact-check twice under two ids still holds it when one id is removed."""
    by_claim: dict[str, list[int]] = {}
    for position, doc in enumerate(documents):
        by_claim.setdefault(fold(doc.claim), []).append(position)
    found: dict[str, list[int]] = {}
    for doc in documents:
        found.setdefault(doc.id, [])
        for twin in by_claim[fold(doc.claim)]:
            if twin not in found[doc.id]:
                found[doc.id].append(twin)
    return found


def _share(tiers: list[Tier], tier: Tier) -> float:
    return sum(1 for t in tiers if t is tier) / len(tiers) if tiers else 0.0


def run_matching(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
        documents = read_claims(args.claims)
        queries = read_queries(args.queries)
        qrels = read_qrels(args.qrels)
    except (InputError, ConfigError) as exc:
        print(f"civicbot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    semantic = settings.matching.semantic or args.semantic
    encoder = None
    if semantic:
        try:
            encoder = load_encoder()
        except SemanticModelError as exc:
            print(f"civicbot: {exc}", file=sys.stderr)
            return EXIT_USAGE
    matching = settings.matching.model_copy(update={"semantic": semantic})
    started = time.perf_counter()
    matcher = Matcher(
        documents, matching.thresholds, encoder=encoder, fallback=matching.fallback_thresholds
    )
    index_s = time.perf_counter() - started
    ids = [doc.id for doc in matcher.documents]
    positions = gold_positions(matcher.documents)
    results: dict[str, Ranked] = {}
    latencies: list[float] = []
    absent: list[Tier] = []
    strict: list[Tier] = []
    for query_id, text in queries:
        started = time.perf_counter()
        matcher.match(text)
        latencies.append((time.perf_counter() - started) * 1000)
        ranking = matcher.rank(text)
        ranked = list(dict.fromkeys(ids[position] for position in ranking.docs))
        answered = tier_of(ranking, matcher.limits(ranking)) is Tier.ANSWER
        results[query_id] = Ranked(ranked, answered=answered)
        relevant = qrels.get(query_id, ())
        gold = sorted({p for doc_id in relevant for p in positions.get(doc_id, ())})
        if gold:
            masked = matcher.rank(text, without=gold)
            absent.append(tier_of(masked, matcher.limits(masked)))
            own = [p for p in gold if ids[p] in relevant]
            masked = matcher.rank(text, without=own)
            strict.append(tier_of(masked, matcher.limits(masked)))
    scores = score_run(results, qrels, k=5)
    summary = {
        **{key: round(value, 4) for key, value in scores.items()},
        "absent_answered": round(_share(absent, Tier.ANSWER), 4),
        "absent_suggested": round(_share(absent, Tier.SUGGEST), 4),
        "absent_answered_ids": round(_share(strict, Tier.ANSWER), 4),
        "index_s": round(index_s, 3),
        "p50_ms": round(_percentile(latencies, 0.5), 3),
        "p95_ms": round(_percentile(latencies, 0.95), 3),
    }
    if args.json:
        print(json.dumps(summary))
        return 0
    judged = sum(1 for relevant in qrels.values() if relevant)
    print(f"claims {len(documents)}, queries {len(queries)} ({judged} judged)")
    print(
        f"MAP@5 {summary['map@5']:.4f}  MRR {summary['mrr']:.4f}  "
        f"P@1 {summary['p@1']:.4f}  R@5 {summary['r@5']:.4f}"
    )
    print(
        f"answer tier (confidence >= {matcher.thresholds.answer:g}): precision "
        f"{summary['answer_precision']:.4f} at coverage {summary['answer_coverage']:.4f}"
    )
    print(
        f"without the right fact-checks ({len(absent)} queries): answered "
        f"{summary['absent_answered']:.4f}, offered {summary['absent_suggested']:.4f} "
        f"(masking the qrels ids alone, not their verbatim copies: answered "
        f"{summary['absent_answered_ids']:.4f})"
    )
    print(
        f"index built in {summary['index_s']:.2f} s; per query p50 {summary['p50_ms']:.2f} ms, "
        f"p95 {summary['p95_ms']:.2f} ms"
    )
    return 0
