"""What every part of the reliability benchmark uses: the run's scale, the bundled content, a
fresh SQLite database, and a tap on the logs.
"""

from __future__ import annotations

import contextlib
import logging
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import Settings, bundled_content
from bot.engine.content import Content
from bot.library.loader import load_library_or_raise
from bot.storage import db
from reliabilitybench.report import Report

SEED = 20260302


@dataclass(frozen=True)
class Scale:
    hostile_inputs: int
    fault_learners: int
    fault_interactions: int
    kill_learners: int
    kill_quizzes: int  # quizzes each learner takes
    kills: int


FULL = Scale(
    hostile_inputs=10_000,
    fault_learners=30,
    fault_interactions=24,
    kill_learners=24,
    kill_quizzes=2,
    kills=3,
)
QUICK = Scale(
    hostile_inputs=1_500,
    fault_learners=6,
    fault_interactions=16,
    kill_learners=8,
    kill_quizzes=1,
    kills=1,
)


class LogTap(logging.Handler):
    """Collects error records, and the tracebacks the engine logs at debug level."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.errors: Counter[str] = Counter()
        self.tracebacks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.tracebacks.append("".join(traceback.format_exception(*record.exc_info)))
        if record.levelno >= logging.ERROR:
            self.errors[f"{record.name}: {record.getMessage()}"] += 1


@contextlib.contextmanager
def tapped(*names: str, level: int = logging.DEBUG) -> Iterator[LogTap]:
    """Route the named loggers (default: all) to a LogTap only, for the block's duration."""
    tap = LogTap()
    loggers = [logging.getLogger(name) for name in names] or [logging.getLogger()]
    saved = [(lg, lg.level, lg.propagate) for lg in loggers]
    engine_log = logging.getLogger("bot.engine.engine")
    engine_level = engine_log.level
    engine_log.setLevel(logging.DEBUG)  # the engine logs the traceback of a failure at debug
    for lg in loggers:
        lg.addHandler(tap)
        lg.setLevel(min(level, lg.level) if lg.level else level)
        if lg.name != "root":
            lg.propagate = False
    try:
        yield tap
    finally:
        for lg, old_level, propagate in saved:
            lg.removeHandler(tap)
            lg.setLevel(old_level)
            lg.propagate = propagate
        engine_log.setLevel(engine_level)


@dataclass(frozen=True)
class Run:
    """What each part is given: how much to do, the seed, the content, a scratch folder, and
    the report its figures go to."""

    scale: Scale
    seed: int
    content: Content
    workdir: Path
    report: Report


def load_content() -> Content:
    library = load_library_or_raise(bundled_content())
    return Content.build(library, "en", Settings().matching.thresholds)


def open_database(path: Path) -> Any:
    database = db.open_engine(f"sqlite:///{path}")
    db.upgrade(database)
    return database
