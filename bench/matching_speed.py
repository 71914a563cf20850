"""Speed of the claim matcher on synthetic libraries of 1k, 10k and 100k fact-checks.

For each size: the time to build the index, the memory the matcher keeps (and the peak while
building), and the per-query latency
(p50/p95) of `Matcher.match`, next to brute-force rapidfuzz `extractOne` with WRatio over the
same claims in the same run, and the ratio of the medians. Queries are ~50-word messages that
repeat a library claim with typos and chatter around it, like a forwarded message.

    .venv/bin/python bench/matching_speed.py [--sizes 1000,10000,100000] [--json]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from rapidfuzz import fuzz, process, utils

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.matching import Document, Matcher

QUERIES = 200  # matcher queries per size
BRUTE_BUDGET_S = 20.0  # brute force gets at least 5 queries, then stops after this long
SEED = 7


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(3, 10))))
    return sorted(words)


class Generator:
    """Zipf-distributed words, like natural text: a few very common, a long rare tail."""

    def __init__(self, seed: int = SEED, vocabulary: int = 50_000) -> None:
        self.rng = random.Random(seed)
        self.words = _vocabulary(self.rng, vocabulary)
        self.weights = [1.0 / (rank + 1) ** 1.05 for rank in range(vocabulary)]

    def sentence(self, low: int, high: int) -> str:
        count = self.rng.randint(low, high)
        return " ".join(self.rng.choices(self.words, self.weights, k=count)).capitalize() + "."

    def document(self, number: int) -> Document:
        return Document(
            id=f"fc-{number}",
            language="en",
            claim=self.sentence(10, 25),
            title=self.sentence(6, 12),
            answer=self.sentence(15, 30),
        )

    def typo(self, word: str) -> str:
        if len(word) < 4:
            return word
        i = self.rng.randrange(1, len(word) - 1)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]

    def message(self, doc: Document) -> str:
        """About 50 words: chatter, the claim with a few typos, more chatter and a link."""
        words = [self.typo(w) if self.rng.random() < 0.1 else w for w in doc.claim.split()]
        before = self.sentence(8, 14)
        after = self.sentence(max(2, 30 - len(words)), max(3, 40 - len(words)))
        return f"{before} {' '.join(words)} {after} https://t.co/x?utm_source=tg 😱"


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return p50, p95


def run_size(size: int) -> dict[str, float]:
    generator = Generator()
    documents = [generator.document(n) for n in range(size)]
    rng = random.Random(SEED + size)
    messages = [generator.message(rng.choice(documents)) for _ in range(QUERIES)]
    # Memory first, in a build of its own: tracing allocations slows building several times.
    gc.collect()
    tracemalloc.start()
    traced = Matcher(documents)
    held_mb, peak_mb = (size / 1e6 for size in tracemalloc.get_traced_memory())
    tracemalloc.stop()
    del traced
    gc.collect()
    started = time.perf_counter()
    matcher = Matcher(documents)
    build_s = time.perf_counter() - started
    hits = 0
    ours: list[float] = []
    for text in messages[:20]:  # warm-up: caches, first numpy calls
        matcher.match(text)
    for text in messages:
        started = time.perf_counter()
        result = matcher.match(text)
        ours.append((time.perf_counter() - started) * 1000)
        hits += bool(result.matches)
    choices = [utils.default_process(doc.claim) for doc in documents]
    brute: list[float] = []
    budget_end = time.perf_counter() + BRUTE_BUDGET_S
    for text in messages:
        started = time.perf_counter()
        process.extractOne(utils.default_process(text), choices, scorer=fuzz.WRatio, processor=None)
        brute.append((time.perf_counter() - started) * 1000)
        if len(brute) >= 5 and time.perf_counter() > budget_end:
            break
    p50, p95 = _percentiles(ours)
    brute_p50, brute_p95 = _percentiles(brute)
    return {
        "docs": size,
        "build_s": round(build_s, 3),
        "memory_mb": round(held_mb, 1),
        "build_peak_mb": round(peak_mb, 1),
        "p50_ms": round(p50, 3),
        "p95_ms": round(p95, 3),
        "wratio_p50_ms": round(brute_p50, 2),
        "wratio_p95_ms": round(brute_p95, 2),
        "wratio_queries": len(brute),
        "ratio_p50": round(brute_p50 / p50, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--json", action="store_true", help="print one JSON line per size")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if not args.json:
        print(
            f"{'docs':>7} {'build s':>8} {'mem MB':>7} {'peak MB':>8} {'p50 ms':>7} {'p95 ms':>7} "
            f"{'WRatio p50':>11} {'WRatio p95':>11} {'x faster':>9}"
        )
    for size in sizes:
        row = run_size(size)
        if args.json:
            print(json.dumps(row))
        else:
            print(
                f"{size:>7} {row['build_s']:>8.2f} {row['memory_mb']:>7.1f} "
                f"{row['build_peak_mb']:>8.1f} {row['p50_ms']:>7.2f} "
                f"{row['p95_ms']:>7.2f} {row['wratio_p50_ms']:>9.1f}ms "
                f"{row['wratio_p95_ms']:>9.1f}ms {row['ratio_p50']:>8.0f}x"
            )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
