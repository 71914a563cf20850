"""`civicbot chat`: talk to the bot in the terminal (SQLite and the bundled content by default)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from bot.app import StartupError, build_engine, build_service, load_keys
from bot.commands.common import guarded, settings_from
from bot.config import data_dir
from bot.storage.keys import user_key
from bot.transports.drawing.reading import find_tesseract
from bot.transports.terminal import chat


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = sub.add_parser("chat", parents=[common], help="talk to the bot in this terminal")
    parser.add_argument("--content", metavar="DIR", help="content folder (e.g. a draft library)")
    parser.set_defaults(func=guarded(run))


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    content = Path(args.content) if args.content else None
    keys = load_keys(settings)
    user = user_key(keys.secret, "terminal", getpass.getuser())
    # The person at the terminal runs this bot: they get the admin commands too.
    engine = build_engine(settings, keys, content, rate_limited=False, admins=frozenset({user}))
    service = build_service(settings, engine, keys.address, content)
    if service.box is None:
        raise StartupError("no address key: set CIVICBOT_ADDRESS_KEY")
    files = data_dir() / "files"
    return chat(
        engine,
        user,
        sys.stdin,
        sys.stdout,
        language=_language_hint(),
        files=files,
        service=service,
        address=service.box.seal("terminal"),
        tesseract=find_tesseract(),
    )


def _language_hint() -> str | None:
    """The terminal's language (LANG=ru_RU.UTF-8 -> ru), as Telegram's language_code would be."""
    value = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    code = value.split(".", 1)[0].split("_", 1)[0].lower()
    return code if code.isalpha() and code not in {"c", "posix"} else None
