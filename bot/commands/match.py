"""`civicbot match "TEXT"`: what the bot would answer to a forwarded message, and why.

Prints the tier and the ranked fact-checks with their scores, so an editor can see whether a new
phrasing is needed before users hit the gap.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.config import ConfigError, bundled_content, load_settings
from bot.library.documents import documents_from_library
from bot.library.loader import load_library
from bot.matching import Matcher

EXIT_CONTENT = 1
EXIT_USAGE = 2


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = sub.add_parser(
        "match",
        parents=[common],
        help="match a message against the fact-checks",
        description="Rank the fact-checks for a message and show the tier the bot would use.",
    )
    parser.add_argument("text", metavar="TEXT", help="the message, as a user would forward it")
    parser.add_argument(
        "--content", metavar="DIR", help="content folder (default: the bundled one)"
    )
    parser.add_argument("--top", metavar="N", type=_positive, default=3, help="matches to show")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(func=run)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"civicbot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.content:
        root, shown = Path(args.content), args.content
    else:
        root = settings.content_path() if settings.content.path else bundled_content()
        shown = str(root)
    loaded = load_library(root, shown)
    if not loaded.ok:
        for problem in loaded.problems:
            print(problem, file=sys.stderr)
        n = len(loaded.problems)
        print(f"{shown}: {n} problem{'s' if n != 1 else ''}", file=sys.stderr)
        return EXIT_CONTENT
    library = loaded.library
    matcher = Matcher(documents_from_library(library), settings.matching.thresholds)
    result = matcher.match(args.text, top=args.top)
    rows = []
    for match in result.matches:
        fc = library.factchecks.get((match.language, match.document_id))
        rows.append(
            {
                "id": match.document_id,
                "language": match.language,
                "score": match.score,
                "claim": fc.claim if fc is not None else "",
            }
        )
    if args.json:
        print(json.dumps({"tier": result.tier.value, "matches": rows}, ensure_ascii=False))
        return 0
    print(f"tier: {result.tier.value}")
    if not rows:
        print("no fact-check matches this text")
    for rank, row in enumerate(rows, start=1):
        print(f"{rank}. {row['score']:.3f}  {row['language']}/{row['id']}  {row['claim']}")
    return 0
