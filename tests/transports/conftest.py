"""Fixtures for the Telegram transport tests: the fake Bot API, engines, and a log that must stay
free of secrets, message texts and user ids."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.engine.content import Content
from bot.engine.engine import Engine as RealEngine
from bot.library.loader import load_library_or_raise
from bot.storage import db
from bot.storage.unit import Store
from bot.testing.fakebotapi import TOKEN, FakeBotApi, assert_valid_html
from bot.testing.fakebotapi.html_check import CAPTION_LIMIT
from bot.testing.harness import WEBHOOK_SECRET
from bot.transports.telegram import Engine
from bot.transports.telegram._logs import NOISY_LOGGERS, configure_logging
from tests.conftest import Clock, make_library
from tests.transports.fake_engine import FakeEngine


@pytest.fixture
def fake_api() -> Iterator[FakeBotApi]:
    """The Bot API; afterwards every HTML text the bot sent is checked against Telegram's rules."""
    with FakeBotApi() as fake:
        yield fake
        for method, text, limit in fake.html_texts():
            assert_valid_html(text, limit, allow_empty=limit == CAPTION_LIMIT, context=method)


@pytest.fixture
def fake_engine() -> FakeEngine:
    return FakeEngine()


def real_engine(tmp_path: Path) -> RealEngine:
    """The real engine on a fresh SQLite database with the test content library."""
    database = db.open_engine(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    db.upgrade(database)
    library = load_library_or_raise(make_library(tmp_path))
    content = Content.build(library, "en", Settings().matching.thresholds)
    return RealEngine(Store(database), content, Clock())


@pytest.fixture(params=["fake", "real"])
def any_engine(request: pytest.FixtureRequest, tmp_path: Path, fake_engine: FakeEngine) -> Engine:
    """Scenarios that hold for any engine run against both the fake one and the real one."""
    if request.param == "fake":
        return fake_engine
    return real_engine(tmp_path)


class LogCapture:
    """What the bot's own log handler (as `civicbot run` installs it) wrote."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def assert_clean(self, *forbidden: str) -> None:
        text = self.text
        for secret in (TOKEN, WEBHOOK_SECRET, *forbidden):
            assert secret not in text, f"{secret!r} leaked into the log:\n{text}"
        assert "Traceback" not in text, text


@pytest.fixture
def bot_log() -> Iterator[LogCapture]:
    capture = LogCapture()
    root = logging.getLogger()
    saved = root.level, {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    handler = configure_logging([TOKEN, WEBHOOK_SECRET], logging.DEBUG, capture.stream)
    yield capture
    root.removeHandler(handler)
    root.setLevel(saved[0])
    for name, level in saved[1].items():
        logging.getLogger(name).setLevel(level)
    logging.captureWarnings(False)
