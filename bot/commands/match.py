"""`civicbot match "TEXT"`: what the bot would answer to a forwarded message, and why.

Prints the tier, the confidence that decided it and the fact-checks the bot would show with
their scores, so an editor can see whether a new phrasing is needed before users hit the gap.
It computes what the chat computes: the content is built by the same function the running bot
uses (bot.app.load_content, with the configured locale and thresholds), the message is trimmed
and cut to `limits.claim_chars` as the chat does, and it is matched for a user of `--language`
(resolved to a language the content speaks, as the chat resolves a user's).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.app import StartupError, load_content
from bot.config import ConfigError, load_settings
from bot.engine.factcheck import MIN_CLAIM_CHARS
from bot.library.loader import ContentError
from bot.matching import MatchResult, Tier

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
        "--content", metavar="DIR", help="content folder (default: the configured one)"
    )
    parser.add_argument(
        "--language", metavar="CODE", help="the user's language (default: the default locale)"
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
    root = Path(args.content) if args.content else settings.content_path()
    try:
        content = load_content(settings, root)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        n = len(exc.problems)
        print(f"{root}: {n} problem{'s' if n != 1 else ''}", file=sys.stderr)
        return EXIT_CONTENT
    except StartupError as exc:
        print(f"civicbot: {exc}", file=sys.stderr)
        return EXIT_CONTENT
    language = content.texts.resolve_language(args.language)
    text = args.text.strip()
    result = MatchResult(Tier.NONE, ())
    # Like the chat, ask for a claim rather than match one with almost nothing in it.
    if sum(char.isalnum() for char in text) >= MIN_CLAIM_CHARS:
        cut = text[: settings.limits.claim_chars]
        result = content.matcher.match(cut, top=args.top, language=language)
    tier, confidence, matches = result.tier.value, result.confidence, result.matches
    library = content.library
    rows = []
    for match in matches:
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
        report = {"tier": tier, "confidence": confidence, "language": language, "matches": rows}
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(f"tier: {tier} (confidence {confidence:.3f}, language {language})")
    if not rows:
        print("no fact-check matches this text")
    for rank, row in enumerate(rows, start=1):
        print(f"{rank}. {row['score']:.3f}  {row['language']}/{row['id']}  {row['claim']}")
    return 0
