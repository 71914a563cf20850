"""`civicbot run [--webhook]`: serve the bot on Telegram until SIGTERM or SIGINT.

Mistakes an operator can make (no token, a rejected token, a bad settings file) end with one
line on stderr and a non-zero exit, never a traceback: a traceback in a shared log is noise at
best and, at worst, quotes data. The token and the webhook secret come only from the environment.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys

from bot.app import build_engine
from bot.commands.common import EXIT_USAGE, guarded, settings_from
from bot.config import ENV_TOKEN, ENV_WEBHOOK_SECRET
from bot.identity import load_secret_key
from bot.paths import data_dir
from bot.transports.telegram import StartError, TokenRejectedError, serve
from bot.transports.telegram_logs import configure_logging

EXIT_START = 1
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = sub.add_parser(
        "run",
        parents=[common],
        help="serve the bot on Telegram",
        description=f"Serve the bot on Telegram by long polling (token: ${ENV_TOKEN}).",
    )
    parser.add_argument(
        "--webhook",
        action="store_true",
        help=f"receive updates at telegram.webhook instead (secret from ${ENV_WEBHOOK_SECRET})",
    )
    parser.set_defaults(func=guarded(run))


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"civicbot run: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    token = os.environ.get(ENV_TOKEN, "").strip()
    if not token:
        return _fail(f"{ENV_TOKEN} is not set")
    webhook_secret = None
    if args.webhook:
        webhook_secret = os.environ.get(ENV_WEBHOOK_SECRET, "")
        if not _WEBHOOK_SECRET.fullmatch(webhook_secret):
            return _fail(f"{ENV_WEBHOOK_SECRET} must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    settings = settings_from(args)
    if args.webhook and not settings.telegram.webhook.url:
        return _fail("telegram.webhook.url must be set for --webhook")
    secret_key = load_secret_key(data_dir())
    configure_logging([token, webhook_secret or ""])
    engine = build_engine(settings)
    try:
        asyncio.run(serve(engine, settings, token, secret_key, webhook_secret=webhook_secret))
    except TokenRejectedError as exc:
        return _fail(f"{exc} (check {ENV_TOKEN})")
    except StartError as exc:
        return _fail(str(exc), code=EXIT_START)
    return 0
