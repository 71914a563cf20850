"""`civicbot db upgrade`: bring the database schema to the newest migration."""

from __future__ import annotations

import argparse

from bot.commands.common import guarded, settings_from
from bot.storage import db


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = sub.add_parser("db", parents=[common], help="manage the database")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    upgrade = actions.add_parser("upgrade", parents=[common], help="apply pending migrations")
    upgrade.set_defaults(func=guarded(run_upgrade))


def run_upgrade(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    engine = db.open_engine(settings.database_url())
    before = db.current_revision(engine)
    db.upgrade(engine)
    after = db.current_revision(engine)
    print(f"database at revision {after}" + ("" if before != after else " (already current)"))
    return 0
