"""`civicbot content check`: validate a content folder and report every problem, one per line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.library.loader import load_library
from bot.paths import bundled_content


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    content = sub.add_parser("content", help="work with the content library", parents=[common])
    actions = content.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check", parents=[common], help="validate lessons, quizzes, fact-checks and locales"
    )
    check.add_argument("dir", nargs="?", help="content folder (default: the bundled library)")
    check.add_argument("--json", action="store_true", help="print one JSON document")
    check.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    if args.dir:
        root, shown = Path(args.dir), args.dir.rstrip("/") or "/"
    else:
        root = bundled_content()
        shown = str(root)
    result = load_library(root, shown)
    library = result.library
    counts = library.counts()
    languages = {lang: library.counts(lang) for lang in library.content_languages()}
    if args.json:
        doc = {
            "errors": [
                {"file": p.file, "line": p.line, "key": p.key, "message": p.message}
                for p in result.problems
            ],
            "counts": counts,
            "languages": languages,
        }
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        if result.ok:
            summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
            print(f"{shown}: OK: {summary}")
            for lang, per in languages.items():
                print(f"  {lang}: " + ", ".join(f"{n} {kind}" for kind, n in per.items()))
        else:
            n = len(result.problems)
            print(f"{shown}: {n} problem{'s' if n != 1 else ''}", file=sys.stderr)
    return 0 if result.ok else 1
