"""What the importer tests share: the fixture files and an engine on an imported library."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine as DbEngine

from bot.config import Settings
from bot.engine.content import Content
from bot.engine.engine import Engine
from bot.library.loader import load_library
from bot.storage.unit import Store
from tests.conftest import UNLIMITED, Clock

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def checked_engine(root: Path, db_engine: DbEngine) -> Engine:
    """An engine serving the library at `root`, which must pass the content check."""
    result = load_library(root)
    assert result.problems == (), "\n".join(str(p) for p in result.problems)
    content = Content.build(result.library, "en", Settings().matching.thresholds)
    return Engine(Store(db_engine), content, Clock(), UNLIMITED)
