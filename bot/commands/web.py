"""`civicbot web`: serve the chat as a web page (web.listen:web.port) until SIGTERM or SIGINT.

It runs on the same engine, library and database as `civicbot run`, and both may run at once
against one PostgreSQL database.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.app import build_engine, build_service, load_keys
from bot.commands.common import guarded, settings_from
from bot.transports.web import StartError, serve

EXIT_START = 1


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = sub.add_parser(
        "web",
        parents=[common],
        help="serve the chat as a web page",
        description="Serve the chat as a self-hosted web page at web.listen:web.port.",
    )
    parser.set_defaults(func=guarded(run))


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    keys = load_keys(settings)  # never generated for a database server; checked against it
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    engine = build_engine(settings, keys)
    service = build_service(settings, engine, keys.address)
    try:
        asyncio.run(serve(engine, settings, keys.secret, service=service))
    except StartError as exc:
        print(f"civicbot web: {exc}", file=sys.stderr)
        return EXIT_START
    return 0
