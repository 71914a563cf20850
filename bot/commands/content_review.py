"""`civicbot content review ID --by NAME`: record that an editor reviewed an item.

The review is written into the item's own file with a fingerprint of what was reviewed; from
then on the bot says "reviewed by the editors on DATE" only while the text still matches, and
`civicbot content check` counts the item as reviewed only while it does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from bot.commands.common import EXIT_USAGE
from bot.library.loader import KINDS, YAML_SUFFIXES, validate_item
from bot.library.review import stamp
from bot.library.yamlread import YamlRefusedError, read_yaml

REVIEWABLE = ("lessons", "quizzes", "factchecks", "assessments")


def register(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add the `review` action to `civicbot content`."""
    parser = actions.add_parser(
        "review",
        parents=[common],
        help="record an editor's review of a lesson, quiz, fact-check or assessment",
    )
    parser.add_argument("id", help="the item's id")
    parser.add_argument("--by", required=True, metavar="NAME", help="who reviewed it")
    parser.add_argument("--language", help="the item's language (needed if the id has several)")
    parser.add_argument(
        "--content", metavar="DIR", default="content", help="library (default: content)"
    )
    parser.add_argument(
        "--on", metavar="YYYY-MM-DD", help="date of the review (default: today)", default=None
    )
    parser.set_defaults(func=run_review)


def run_review(args: argparse.Namespace) -> int:
    by = " ".join(args.by.split())
    if not by:
        return _fail("--by needs the reviewer's name")
    try:
        on = dt.date.fromisoformat(args.on) if args.on else dt.date.today()
    except ValueError:
        return _fail(f"--on {args.on!r} is not a date (YYYY-MM-DD)")
    root = Path(args.content)
    if not root.is_dir():
        return _fail(f"{root} is not a folder")
    found, broken = find_items(root, args.id, args.language)
    if not found:
        if broken:
            return _fail(f"{broken[0]} has problems; fix them (civicbot content check) first")
        where = f" in language {args.language}" if args.language else ""
        return _fail(f"no lesson, quiz, fact-check or assessment '{args.id}'{where} in {root}")
    if len(found) > 1:
        languages = ", ".join(sorted(getattr(item, "language", "?") for _, item in found))
        return _fail(f"'{args.id}' exists in several languages ({languages}): add --language")
    path, item = found[0]
    review = stamp(path, item, by, on)
    print(f"reviewed {path}: by {review.by} on {review.date} (fingerprint {review.fingerprint})")
    print("Any later change to this item makes it unreviewed again until it is reviewed anew.")
    return 0


def find_items(
    root: Path, item_id: str, language: str | None
) -> tuple[list[tuple[Path, Any]], list[Path]]:
    """The files under `root` holding a valid item `item_id` (in `language`, if given), and the
    files with that id that do not validate."""
    found: list[tuple[Path, Any]] = []
    broken: list[Path] = []
    for kind in REVIEWABLE:
        folder = root / kind
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.suffix not in YAML_SUFFIXES:
                continue
            try:
                data, positions = read_yaml(path, str(path))
            except YamlRefusedError:
                continue
            if not isinstance(data, dict) or data.get("id") != item_id:
                continue
            if language is not None and data.get("language") != language:
                continue
            item, problems = validate_item(KINDS[kind], data, positions, str(path))
            if item is None or problems:
                broken.append(path)
            else:
                found.append((path, item))
    return found, broken


def _fail(message: str) -> int:
    print(f"civicbot: {message}", file=sys.stderr)
    return EXIT_USAGE
