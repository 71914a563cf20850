"""Logging that cannot leak what users wrote, who they are, or the bot's token.

Libraries log freely: httpx logs every request URL (which holds the token), python-telegram-bot
logs whole updates at debug level and some at critical level, and tracebacks carry exception
messages that may quote data. So the one handler the bot installs keeps, for records that do not
come from civicbot itself, only the fixed message template (never its arguments), replaces any
traceback with the exception's type name, and blanks the token and other secrets wherever they
appear. civicbot's own log calls pass only counts, kinds and type names.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

OWN_LOGGERS = ("bot", "py.warnings")
NOISY_LOGGERS = (
    "httpx",
    "httpcore",
    "telegram",
    "tornado",
    "asyncio",
    "aiolimiter",
    "alembic",
    "sqlalchemy",
)
REDACTED = "[redacted]"
_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")


class Scrub(logging.Filter):
    """Rewrites each record into a form that is safe to write anywhere."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        own = record.name.split(".")[0] in OWN_LOGGERS
        message = record.getMessage() if own else _PLACEHOLDER.sub("…", str(record.msg))
        if record.exc_info and record.exc_info[0] is not None:
            message = f"{message} [{record.exc_info[0].__name__}]"
        for secret in self._secrets:
            message = message.replace(secret, REDACTED)
        record.msg, record.args = message, None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def configure_logging(
    secrets: Iterable[str], level: int = logging.INFO, stream: TextIO | None = None
) -> logging.Handler:
    """Send logs to stderr through `Scrub`; quiet the libraries. Returns the installed handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(Scrub(secrets))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    logging.captureWarnings(True)
    return handler
