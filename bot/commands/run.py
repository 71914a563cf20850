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

from bot.app import build_engine, build_service, check_keys, load_keys, telegram_admins
from bot.commands.common import EXIT_USAGE, guarded, settings_from
from bot.config import ENV_TOKEN, ENV_WEBHOOK_SECRET
from bot.transports.telegram import StartError, TokenRejectedError, configure_logging, serve
from bot.transports.workers import supervise

EXIT_START = 1
# Telegram allows 1-256 of these characters; fewer than 32 could be guessed by trying.
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{32,256}")


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
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="with --webhook: N worker processes sharing the port and the database",
    )
    parser.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
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
            return _fail(
                f"{ENV_WEBHOOK_SECRET} must be 32-256 characters of A-Z, a-z, 0-9, _ and -"
            )
    settings = settings_from(args)
    if args.webhook and not settings.telegram.webhook.url:
        return _fail("telegram.webhook.url must be set for --webhook")
    if args.workers < 1 or (args.workers > 1 and not args.webhook):
        return _fail("--workers N needs --webhook, and N must be at least 1")
    if args.workers > 1:
        if settings.database_url().startswith("sqlite"):
            print(
                "civicbot run: several workers on SQLite serialise on its one writer; "
                "use PostgreSQL (database.url) to scale",
                file=sys.stderr,
            )
        if not settings.redis.url:
            print(
                "civicbot run: with several workers set redis.url, or a claim's "
                "'send to the editors' may reach a worker that never saw the claim",
                file=sys.stderr,
            )
        # Create the keys once, before the workers race to, and refuse the wrong ones here
        # rather than in workers the supervisor would restart.
        check_keys(settings, load_keys(settings))
        return supervise(args.workers, _worker_command(args))
    keys = load_keys(settings)
    secret_key, address_key = keys.secret, keys.address
    configure_logging([token, webhook_secret or ""])
    engine = build_engine(settings, keys, admins=telegram_admins(settings, secret_key))
    try:
        asyncio.run(
            serve(
                engine,
                settings,
                token,
                secret_key,
                webhook_secret=webhook_secret,
                address_key=address_key,
                service=build_service(settings, engine, address_key),
                shared_port=args.worker is not None,
                set_webhook=args.worker in (None, 0),
            )
        )
    except TokenRejectedError as exc:
        return _fail(f"{exc} (check {ENV_TOKEN})")
    except StartError as exc:
        return _fail(str(exc), code=EXIT_START)
    return 0


def _worker_command(args: argparse.Namespace) -> list[str]:
    command = [sys.executable, "-m", "bot", "run", "--webhook"]
    if args.config:
        command += ["--config", args.config]
    return command
