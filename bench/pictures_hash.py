"""Recognising pictures already checked: PDQ against pHash on generated pictures.

Makes --checked distinct synthetic pictures as the "checked" ones and --unrelated others, sends
ten transformed copies of each checked one (resized, recompressed, cropped, brighter, grey,
captioned, framed in a phone screenshot, enlarged, bordered) and every unrelated one through
the same lookup the bot does (the checked pictures hashed whole and cropped, a sent one whole
and its framed block, then the nearest checked hash), and prints, for
each hash and distance threshold: the share of copies matched to the right picture and the share
of unrelated pictures matched to any. Also the time to hash one sent picture once decoded
(p50/p95; the whole and the framed block).

    .venv/bin/python bench/pictures_hash.py [--checked 200] [--unrelated 5000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import imagehash
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.matching import pictures
from bot.testing.pictures import picture, transformed

KINDS = 10
PDQ_THRESHOLDS = (31, 52, 64, 72, 80, 90)
PHASH_THRESHOLDS = (6, 8, 10, 12, 14, 16)


def _phash(pixels: np.ndarray) -> int | None:
    return int(str(imagehash.phash(Image.fromarray(pixels))), 16)


Hash = Callable[[np.ndarray], int | None]
ALGORITHMS: dict[str, tuple[Hash, tuple[int, ...]]] = {
    "pdq": (pictures.pdq, PDQ_THRESHOLDS),
    "phash": (_phash, PHASH_THRESHOLDS),
}


def _hashes(hash_one: Hash, parts: list[np.ndarray]) -> tuple[int, ...]:
    """The same parts the bot hashes (whole, framed block; crops of the checked ones)."""
    return tuple(h for part in parts if (h := hash_one(part)) is not None)


def nearest(wanted: tuple[int, ...], known: list[tuple[int, int]]) -> tuple[int, int]:
    """(distance, index) of the nearest known hash to any of the wanted ones."""
    best = (10**9, -1)
    for hashed in wanted:
        for other, index in known:
            gap = (hashed ^ other).bit_count()
            if gap < best[0]:
                best = (gap, index)
    return best


def run(checked: int, unrelated: int) -> dict[str, object]:
    originals = [picture(seed) for seed in range(checked)]
    known = {
        name: [
            (hashed, index)
            for index, image in enumerate(originals)
            for hashed in _hashes(hash_one, pictures.checked_parts(image))
        ]
        for name, (hash_one, _) in ALGORITHMS.items()
    }
    took: dict[str, list[float]] = {name: [] for name in ALGORITHMS}
    copy_near: dict[str, list[tuple[int, tuple[int, int]]]] = {name: [] for name in ALGORITHMS}
    for index, image in enumerate(originals):
        for kind in range(KINDS):
            data = transformed(image, kind, index)
            for name, (hash_one, _) in ALGORITHMS.items():
                sent = pictures.open_picture(data)
                started = time.perf_counter()
                hashed = _hashes(hash_one, pictures.query_parts(sent))
                took[name].append(time.perf_counter() - started)
                copy_near[name].append((index, nearest(hashed, known[name])))
    # Unrelated pictures are made one at a time (5,000 held at once would take gigabytes).
    other_near: dict[str, list[int]] = {name: [] for name in ALGORITHMS}
    for seed in range(unrelated):
        parts = pictures.query_parts(picture(1_000_000 + seed))
        for name, (hash_one, _) in ALGORITHMS.items():
            other_near[name].append(nearest(_hashes(hash_one, parts), known[name])[0])
    results: dict[str, object] = {}
    for name, (_, thresholds) in ALGORITHMS.items():
        rows = []
        for threshold in thresholds:
            right = sum(
                1 for index, (gap, at) in copy_near[name] if gap <= threshold and at == index
            )
            wrong = sum(1 for gap in other_near[name] if gap <= threshold)
            rows.append(
                {
                    "threshold": threshold,
                    "copies_right": right / len(copy_near[name]),
                    "unrelated_matched": wrong / max(1, len(other_near[name])),
                }
            )
        times = sorted(took[name])
        results[name] = {
            "rows": rows,
            "hash_ms_p50": 1000 * statistics.median(times),
            "hash_ms_p95": 1000 * times[int(0.95 * (len(times) - 1))],
            "by_kind_at_bot_threshold": _by_kind(copy_near[name], thresholds, name),
            "nearest_unrelated": min(other_near[name], default=0),
        }
    copies = len(copy_near["pdq"])
    load = os.getloadavg()[0]
    return {"checked": checked, "unrelated": unrelated, "copies": copies, "load": load, **results}


def _by_kind(
    copy_near: list[tuple[int, tuple[int, int]]], thresholds: tuple[int, ...], name: str
) -> dict[int, float]:
    threshold = pictures.MATCH_DISTANCE if name == "pdq" else thresholds[2]
    kinds: dict[int, list[bool]] = {}
    for number, (index, (gap, at)) in enumerate(copy_near):
        kinds.setdefault(number % KINDS, []).append(gap <= threshold and at == index)
    return {kind: sum(hits) / len(hits) for kind, hits in kinds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checked", type=int, default=200)
    parser.add_argument("--unrelated", type=int, default=5000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.checked, args.unrelated)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"{args.checked} checked pictures, {result['copies']} copies, {args.unrelated} "
        f"unrelated; load average {result['load']:.1f} on 2 cores"
    )
    for name in ALGORITHMS:
        figures = result[name]
        assert isinstance(figures, dict)
        print(
            f"{name}: hash p50 {figures['hash_ms_p50']:.1f} ms, "
            f"p95 {figures['hash_ms_p95']:.1f} ms; nearest unrelated picture at distance "
            f"{figures['nearest_unrelated']}"
        )
        for row in figures["rows"]:
            print(
                f"  distance <= {row['threshold']:3d}: copies right {row['copies_right']:.1%}, "
                f"unrelated matched {row['unrelated_matched']:.2%}"
            )
        kinds = figures["by_kind_at_bot_threshold"]
        print("  by change:", " ".join(f"{k}:{v:.0%}" for k, v in kinds.items()))


if __name__ == "__main__":
    main()
