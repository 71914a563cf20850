"""What the optional sentence-embedding model costs a running bot, on the bundled library.

Each run is a fresh process that loads the bundled library as the bot does (`load_content`),
then matches the English near-miss messages (tests/matching/fixtures/near_miss/) one by one. It
reports the load time, the median time per message and the process's peak memory
(`ru_maxrss`). With `--semantic` the sentence model is on; `--cold` gives each run an empty
model cache (CIVICBOT_MODEL_CACHE), so the load includes unpacking the model and encoding the
library, as on a bot's first start; without it the library's vectors come from the cache, as
on every later start. The figures are the medians of `--runs` runs.

    .venv/bin/python bench/semantic_cost.py [--semantic] [--cold] [--runs 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NEAR_MISS = Path(__file__).resolve().parent.parent / "tests" / "matching" / "fixtures" / "near_miss"


def one_run(semantic: bool) -> dict[str, float]:
    """In this process: load, then match every English near-miss message."""
    from bot.app import load_content
    from bot.config import MatchingSettings, Settings

    messages = [
        json.loads(line)["text"]
        for path in sorted(NEAR_MISS.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and json.loads(line)["language"] == "en"
    ]
    start = time.perf_counter()
    content = load_content(Settings(matching=MatchingSettings(semantic=semantic)))
    loaded = time.perf_counter() - start
    took = []
    for text in messages:
        start = time.perf_counter()
        content.matcher.match(text, language="en")
        took.append(time.perf_counter() - start)
    return {
        "load_s": loaded,
        "message_ms_p50": statistics.median(took) * 1000,
        "messages": len(took),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--semantic", action="store_true", help="with the sentence model")
    parser.add_argument("--cold", action="store_true", help="an empty model cache each run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="one JSON line")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one_run(args.semantic)))
        return 0
    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ)
            if args.cold:
                env["CIVICBOT_MODEL_CACHE"] = cache
            command = [sys.executable, __file__, "--one"] + (["--semantic"] * args.semantic)
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    figures = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    if args.json:
        print(json.dumps(figures))
    else:
        model = "lexical"
        if args.semantic:
            model = "sentence model, " + ("first start" if args.cold else "later starts")
        print(
            f"{model}: load {figures['load_s']:.1f} s, "
            f"{figures['message_ms_p50']:.1f} ms per message (p50 of {figures['messages']:.0f}), "
            f"peak {figures['peak_mb']:.0f} MB (medians of {args.runs})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
