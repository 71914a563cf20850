"""The log handler: library records lose their arguments and tracebacks, secrets are blanked
wherever they appear, and httpx's request-URL logging (which holds the token) is silenced."""

from __future__ import annotations

import io
import logging

from bot.testing.fakebotapi import TOKEN
from bot.transports.telegram._logs import REDACTED, Scrub, configure_logging


def _format(record: logging.LogRecord) -> str:
    assert Scrub([TOKEN]).filter(record)
    return logging.Formatter("%(name)s %(message)s").format(record)


def _record(
    name: str, msg: str, *args: object, exc: BaseException | None = None
) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord(name, logging.ERROR, __file__, 1, msg, args, exc_info)


def test_library_records_keep_only_their_template() -> None:
    line = _format(_record("telegram.ext.Application", "Update %s caused %r", {"text": "hi"}, "x"))
    assert line == "telegram.ext.Application Update … caused …"


def test_tracebacks_become_the_exception_type() -> None:
    try:
        raise ValueError("the user's secret message")
    except ValueError as exc:
        line = _format(_record("telegram.ext.Updater", "polling failed", exc=exc))
    assert line == "telegram.ext.Updater polling failed [ValueError]"


def test_own_records_are_formatted_but_secrets_are_blanked() -> None:
    line = _format(
        _record("bot.transports.telegram._serve", "url %s/getMe", f"https://x/bot{TOKEN}")
    )
    assert line == f"bot.transports.telegram._serve url https://x/bot{REDACTED}/getMe"
    assert TOKEN not in _format(_record("httpx", f"POST https://x/bot{TOKEN}/getMe"))


def test_configure_logging_silences_request_urls() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    httpx_level = logging.getLogger("httpx").level
    handler = configure_logging([TOKEN], logging.INFO, stream)
    try:
        logging.getLogger("httpx").info("HTTP Request: POST https://api/bot%s/getMe", TOKEN)
        logging.getLogger("bot.test").info("started")
        assert logging.getLogger("httpx").level == logging.WARNING
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        logging.getLogger("httpx").setLevel(httpx_level)
        logging.captureWarnings(False)
    assert stream.getvalue().endswith("INFO bot.test: started\n")
    assert "HTTP Request" not in stream.getvalue()
