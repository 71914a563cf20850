"""`civicbot content import gift|claimreview FILE --out DIR`: bring in existing question banks
and published fact-checks as content YAML.

The report is written for the educator who has to finish the job: every file written, every
entry skipped with the line (GIFT) or item number (ClaimReview) to look at, every earlier file
kept because it was edited since, and exit code 0 when everything was imported or skipped as
reported, 1 when nothing could be imported or an edited file was kept, 2 when the file itself
cannot be read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path

from bot.commands.common import EXIT_CONTENT, EXIT_USAGE
from bot.library.importers import Entry, Parsed, Written, parse_claimreview, parse_gift
from bot.library.importers.common import write_items

EXIT_OK = 0
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
_PREFIX = re.compile(r"^[a-z0-9][a-z0-9_-]{0,29}$")


class UsageError(Exception):
    """A file or option that cannot be used; printed as one line."""


def register(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add the `import` action to `civicbot content`."""
    parser = actions.add_parser(
        "import", parents=[common], help="import a Moodle GIFT bank or ClaimReview fact-checks"
    )
    formats = parser.add_subparsers(dest="format", metavar="FORMAT", required=True)
    gift = formats.add_parser(
        "gift", parents=[common], help="Moodle GIFT questions: one quiz per $CATEGORY"
    )
    claims = formats.add_parser(
        "claimreview", parents=[common], help="schema.org ClaimReview JSON-LD fact-checks"
    )
    for sub, what in ((gift, "quizzes"), (claims, "factchecks")):
        sub.add_argument("file", metavar="FILE", help="the file to import")
        sub.add_argument(
            "--out",
            metavar="DIR",
            required=True,
            help=f"content folder to write {what}/<language>/<id>.yaml into",
        )
        sub.add_argument(
            "--language",
            default="en",
            help="language code of the items"
            + (" (default: en)" if sub is gift else " that do not give inLanguage (default: en)"),
        )
        sub.add_argument(
            "--id-prefix", default="", metavar="P", help="put P in front of every new id"
        )
        sub.add_argument(
            "--force",
            action="store_true",
            help="replace files edited since an earlier import (by default they are kept)",
        )
    gift.set_defaults(func=run_gift)
    claims.set_defaults(func=run_claimreview)


def run_gift(args: argparse.Namespace) -> int:
    try:
        _check_options(args)
        text = _read_text(Path(args.file))
    except UsageError as exc:
        return _usage(exc)
    parsed = parse_gift(
        text, name=Path(args.file).name, language=args.language, id_prefix=args.id_prefix
    )
    return _finish(args, parsed)


def run_claimreview(args: argparse.Namespace) -> int:
    try:
        _check_options(args)
        text = _read_text(Path(args.file))
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(
                f"{args.file} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            ) from None
        except RecursionError:
            raise UsageError(f"{args.file} is not usable JSON: nested too deeply") from None
    except UsageError as exc:
        return _usage(exc)
    parsed = parse_claimreview(
        data, language=args.language, id_prefix=args.id_prefix, today=dt.date.today()
    )
    if not parsed.items and not parsed.skipped:
        print(f'{args.file}: no ClaimReview found (no object with "@type": "ClaimReview")')
        return EXIT_CONTENT
    return _finish(args, parsed)


def _finish(args: argparse.Namespace, parsed: Parsed) -> int:
    out = Path(args.out)
    try:
        outcome = write_items(parsed.kind, parsed.items, out, force=args.force)
    except OSError as exc:
        return _usage(UsageError(f"cannot write to {out}: {exc.strerror or exc}"))
    written = outcome.written
    for item in written:
        print(_wrote(item))
    for path in outcome.kept:
        print(f"kept {path}: edited since it was imported, so not replaced (--force replaces it)")
    for entry in parsed.skipped:
        print(f"{_where(args.file, entry)}skipped: {entry.message}")
    for entry in parsed.notes:
        print(f"{_where(args.file, entry)}note: {entry.message}")
    _missing_locales(out, written)
    summary = _summary(parsed, written)
    if outcome.kept:
        kept = len(outcome.kept)
        summary += f"; kept {kept} edited file{'s' if kept != 1 else ''}"
    print(summary)
    return EXIT_OK if written and not outcome.kept else EXIT_CONTENT


def _wrote(written: Written) -> str:
    item = written.item
    if "questions" in item:
        count = len(item["questions"])
        what = f"{item['title']}, {count} question{'s' if count != 1 else ''}"
    else:
        claim = item["claim"] if len(item["claim"]) <= 60 else item["claim"][:59] + "…"
        what = f"{item['verdict']}: {claim}"
    line = f"wrote {written.path} ({what})"
    if written.renamed_from:
        line += f"; id '{written.renamed_from}' was taken, so it is '{item['id']}'"
    return line


def _summary(parsed: Parsed, written: list[Written]) -> str:
    skipped = len(parsed.skipped)
    if parsed.kind == "quizzes":
        questions = sum(len(w.item["questions"]) for w in written)
        done = f"imported {questions} question{'s' if questions != 1 else ''}"
        done += f" in {len(written)} quiz{'zes' if len(written) != 1 else ''}"
        left = f"skipped {skipped} question{'s' if skipped != 1 else ''}"
    else:
        done = f"imported {len(written)} fact-check{'s' if len(written) != 1 else ''}"
        left = f"skipped {skipped} item{'s' if skipped != 1 else ''}"
    if not written:
        done = "imported nothing"
    return f"{done}; {left}"


def _missing_locales(out: Path, written: list[Written]) -> None:
    """A library needs interface texts for every language it holds; say when one is missing."""
    locales = out / "locales"
    if not locales.is_dir():
        return
    for language in sorted({w.item["language"] for w in written}):
        if not (locales / f"{language}.yaml").is_file():
            print(
                f"note: {locales}/{language}.yaml does not exist yet; "
                f"`civicbot content check` needs it for the {language} items"
            )


def _where(file: str, entry: Entry) -> str:
    if entry.line is not None:
        return f"{file}:{entry.line}: "
    if entry.item is not None:
        return f"{file}: item {entry.item}: "
    return f"{file}: "


def _check_options(args: argparse.Namespace) -> None:
    if not _LANGUAGE.match(args.language):
        raise UsageError(f"--language {args.language!r} is not a language code such as en or ru")
    if args.id_prefix and not _PREFIX.match(args.id_prefix):
        raise UsageError(
            f"--id-prefix {args.id_prefix!r} must be up to 30 characters: a-z, 0-9, - and _"
        )


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path} is not UTF-8 text (byte {exc.start + 1})") from None


def _usage(exc: UsageError) -> int:
    print(f"civicbot: {exc}", file=sys.stderr)
    return EXIT_USAGE
