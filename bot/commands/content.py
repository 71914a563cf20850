"""`civicbot content check`: validate a content folder and report every problem, one per line."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from bot.app import load_content
from bot.commands import content_import, content_review
from bot.commands.common import guarded, settings_from
from bot.commands.preview import NotFoundError, preview
from bot.config import bundled_content
from bot.library.catalog import Library
from bot.library.checks import REFERENCE_LANGUAGE
from bot.library.loader import load_library
from bot.library.scaffold import KINDS, ScaffoldError, scaffold
from bot.transports.terminal import render


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

    new = actions.add_parser("new", parents=[common], help="start a new lesson, quiz or fact-check")
    new.add_argument("kind", choices=sorted(KINDS))
    new.add_argument("id", help="the new item's id (a-z, 0-9, - and _)")
    new.add_argument(
        "--content", metavar="DIR", default="content", help="library (default: content)"
    )
    new.add_argument("--language", default="en", help="language code (default: en)")
    new.set_defaults(func=run_new)

    show = actions.add_parser(
        "show", parents=[common], help="show a lesson, quiz or fact-check as the bot sends it"
    )
    show.add_argument("id")
    show.add_argument("--content", metavar="DIR", help="library (default: the configured one)")
    show.add_argument("--language", help="language code (default: locale.default)")
    show.add_argument("--html", action="store_true", help="print the Telegram HTML itself")
    show.set_defaults(func=guarded(run_show))

    content_import.register(actions, common)
    content_review.register(actions, common)


def run_check(args: argparse.Namespace) -> int:
    if args.dir:
        root, shown = Path(args.dir), args.dir.rstrip("/") or "/"
    else:
        root = bundled_content()
        shown = str(root)
    result = load_library(root, shown)
    library = result.library
    counts = library.counts()
    languages: dict[str, dict[str, float]] = {
        lang: {**library.counts(lang), **library.coverage(lang, REFERENCE_LANGUAGE)}
        for lang in library.content_languages()
    }
    reviewed = {lang: library.reviewed(lang) for lang in library.content_languages()}
    if args.json:
        doc = {
            "errors": [
                {"file": p.file, "line": p.line, "col": p.col, "key": p.key, "message": p.message}
                for p in result.problems
            ],
            "notes": [
                {"file": p.file, "line": p.line, "col": p.col, "key": p.key, "message": p.message}
                for p in result.notes
            ],
            "counts": counts,
            "languages": languages,
            "reached_only_through_quizzes": {
                lang: library.unlinked_quizzes(lang) for lang in library.content_languages()
            },
            "reviewed": {
                lang: {kind: {"reviewed": n, "of": total} for kind, (n, total) in per.items()}
                for lang, per in reviewed.items()
            },
        }
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        for note in result.notes:
            print(f"{note} (note)", file=sys.stderr)
        if result.ok:
            summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
            print(f"{shown}: OK: {summary}")
            for lang, per in languages.items():
                _print_language(library, lang, per, reviewed[lang])
        else:
            n = len(result.problems)
            print(f"{shown}: {n} problem{'s' if n != 1 else ''}", file=sys.stderr)
    return 0 if result.ok else 1


def _print_language(
    library: Library, lang: str, per: dict[str, float], reviewed: dict[str, tuple[int, int]]
) -> None:
    """The summary lines of one language: counts, translation, quizzes only /quizzes reaches,
    and reviews."""
    counted = ", ".join(f"{n} {kind}" for kind, n in library.counts(lang).items())
    if lang == REFERENCE_LANGUAGE:
        print(f"  {lang}: {counted}")
    else:
        share = ", ".join(
            f"{kind.removesuffix('_coverage')} {per[kind]:.0%}"
            for kind in ("interface_coverage", "lesson_coverage", "factcheck_coverage")
        )
        print(f"  {lang}: {counted}; translated from {REFERENCE_LANGUAGE}: {share}")
    unlinked = library.unlinked_quizzes(lang)
    if unlinked:
        many = len(unlinked) != 1
        print(
            f"  {lang}: no lesson leads to {len(unlinked)} quiz{'zes' if many else ''}, so "
            f"learners reach {'them' if many else 'it'} only through /quizzes: "
            + ", ".join(unlinked)
        )
    if reviewed:
        done = ", ".join(f"{kind} {n} of {total}" for kind, (n, total) in reviewed.items())
        print(f"  {lang}: reviewed by the editors: {done}")


def run_new(args: argparse.Namespace) -> int:
    try:
        path = scaffold(args.kind, args.id, Path(args.content), args.language, dt.date.today())
    except ScaffoldError as exc:
        print(f"civicbot: {exc}", file=sys.stderr)
        return 2
    print(
        f"wrote {path}: replace every TODO in it, then run `civicbot content check {args.content}`"
    )
    return 0


def run_show(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    root = Path(args.content) if args.content else None
    content = load_content(settings, root, sentence_model=False)  # nothing is matched here
    language = args.language or settings.locale.default
    try:
        replies = preview(content, args.id, language)
    except NotFoundError as exc:
        print(f"civicbot: {exc}", file=sys.stderr)
        return 1
    if args.html:
        for reply in replies:
            print(reply.text, end="\n\n")
    else:
        print("\n".join(render([reply])[0] for reply in replies))
    return 0
