"""`civicbot report questions|claims|factchecks|usage [--format text|csv|json|html]`."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import sys
from pathlib import Path

from bot.app import load_content, open_database
from bot.commands.common import guarded, settings_from
from bot.reports import KINDS, build
from bot.reports.html import render_html
from bot.reports.layout import text
from bot.storage.unit import Store


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = sub.add_parser("report", parents=[common], help="reports for educators")
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--format", choices=("text", "csv", "json", "html"), default="text")
    parser.add_argument("--content", metavar="DIR", help="content folder (default: configured)")
    parser.set_defaults(func=guarded(run))


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    content = load_content(settings, Path(args.content) if args.content else None)
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
