"""`civicbot db upgrade` and `civicbot db purge`: schema migrations and data retention."""

from __future__ import annotations

import argparse
import sys

from bot.commands.common import guarded, settings_from
from bot.storage import db
from bot.storage.retention import purge_now


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = sub.add_parser("db", parents=[common], help="manage the database")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    upgrade = actions.add_parser("upgrade", parents=[common], help="apply pending migrations")
    upgrade.set_defaults(func=guarded(run_upgrade))
    purge = actions.add_parser(
        "purge", parents=[common], help="delete data older than the retention settings"
    )
    purge.set_defaults(func=guarded(run_purge))


def run_upgrade(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    engine = db.open_engine(settings.database_url())
    before = db.current_revision(engine)
    db.upgrade(engine)
    after = db.current_revision(engine)
    print(f"database at revision {after}" + ("" if before != after else " (already current)"))
    return 0


def run_purge(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    engine = db.open_engine(settings.database_url())
    if not db.is_current(engine):
        print(
            "civicbot: the database schema is not up to date: run `civicbot db upgrade`",
            file=sys.stderr,
        )
        return 2
    counts = purge_now(engine, settings)
    total = sum(counts.values())
    details = ", ".join(f"{n} from {table}" for table, n in sorted(counts.items()) if n)
    print(f"deleted {total} rows" + (f": {details}" if details else ""))
    return 0
