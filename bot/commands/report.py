"""`civicbot report questions|claims|factchecks|usage [--format text|csv|json|html]`."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import sys
import textwrap
from pathlib import Path

from bot.app import load_content, open_database
from bot.commands.common import guarded, settings_from
from bot.reports import DESCRIPTIONS, KINDS, build
from bot.reports.html import render_html
from bot.reports.layout import text
from bot.storage.unit import Store


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    kinds = "\n".join(
        textwrap.fill(
            f"{kind}: {DESCRIPTIONS[kind]}", 88, initial_indent="  ", subsequent_indent="    "
        )
        for kind in KINDS
    )
    parser = sub.add_parser(
        "report",
        parents=[common],
        help="reports for educators",
        description=textwrap.fill(
            "Reports for educators, read from the bot's database: $CIVICBOT_DATABASE_URL if set, "
            "else `database.url` in the --config file, else the SQLite file in the data folder "
            "that `civicbot chat` and `civicbot run` use. A report reads one snapshot and "
            "changes nothing; no person is named in it.",
            88,
        ),
        epilog=f"reports:\n{kinds}\n\nIn text and HTML a figure nobody's answers define yet is "
        "shown as —; in CSV it is empty, in JSON null.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("kind", choices=KINDS, help="which report (see below)")
    parser.add_argument("--format", choices=("text", "csv", "json", "html"), default="text")
    parser.add_argument("--content", metavar="DIR", help="content folder (default: configured)")
    parser.set_defaults(func=guarded(run))


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    root = Path(args.content) if args.content else None
    content = load_content(settings, root, sentence_model=False)  # nothing is matched here
    engine = open_database(settings)
    now = dt.datetime.now(dt.UTC)
    with Store(engine).unit(write=False) as unit:
        report = build(args.kind, unit.reports, content.library, now)
    if args.format == "json":
        document = {table.title: table.records() for table in report.tables}
        print(json.dumps(document, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        for index, table in enumerate(report.tables):
            if index:
                writer.writerow([])
            writer.writerow(table.header)
            writer.writerows(table.rows)
        sys.stdout.write(out.getvalue())
    elif args.format == "html":
        sys.stdout.write(render_html(report.kind, report.tables, report.charts, now))
    else:
        sys.stdout.write(text(report.tables))
    return 0
