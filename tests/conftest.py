"""Shared fixtures: real databases (SQLite and PostgreSQL), a small stable content library, and an
engine wired to both, with a clock the tests control."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.config import LimitsSettings, Settings, bundled_content
from bot.engine.content import Content
from bot.engine.engine import Engine as BotEngine
from bot.library.catalog import Library
from bot.library.loader import load_library_or_raise
from bot.storage import db
from bot.storage.unit import Store
from bot.testing.postgres import postgres_problem, private_schema
from bot.testing.services import unavailable

TESTS = Path(__file__).resolve().parent
FIXTURE_LIBRARY = TESTS / "fixtures" / "library"
FIXTURE_COUNTS = {
    "lessons": 2,
    "quizzes": 1,
    "questions": 4,
    "factchecks": 3,
    "assessment_forms": 2,
}
# Dialog tests press buttons faster than any person; the rate limit has tests of its own.
UNLIMITED = LimitsSettings(burst=100_000)


@pytest.fixture(autouse=True)
def _private_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test touches the real user's data folder or picks up their settings."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    for name in ("CIVICBOT_CONFIG", "CIVICBOT_DATABASE_URL", "CIVICBOT_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose connections use a fresh, private schema, dropped afterwards."""
    problem = postgres_problem()
    if problem:
        unavailable(problem)
    with private_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def db_engine(database_url: str) -> Iterator[Engine]:
    engine = db.open_engine(database_url)
    db.upgrade(engine)
    yield engine
    engine.dispose()


def make_library(tmp_path: Path, extra_locales: dict[str, str] | None = None) -> Path:
    """The fixture items plus the bundled English interface (and any other language asked for:
    the bundled translation where there is one, else a copy of English), in a folder the test
    owns."""
    root = tmp_path / "library"
    shutil.copytree(FIXTURE_LIBRARY, root)
    (root / "locales").mkdir()
    shutil.copy(bundled_content() / "locales" / "en.yaml", root / "locales" / "en.yaml")
    for code, name in (extra_locales or {}).items():
        bundled = bundled_content() / "locales" / f"{code}.yaml"
        if bundled.is_file():  # a real translation, with its language's plural forms
            shutil.copy(bundled, root / "locales" / f"{code}.yaml")
            continue
        source = (root / "locales" / "en.yaml").read_text(encoding="utf-8")
        source = source.replace("language: en", f"language: {code}", 1)
        source = source.replace("name: English", f"name: {name}", 1)
        (root / "locales" / f"{code}.yaml").write_text(source, encoding="utf-8")
    return root


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    return make_library(tmp_path)


@pytest.fixture
def library(library_dir: Path) -> Library:
    return load_library_or_raise(library_dir)


class Clock:
    """A clock tests move by hand."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(db_engine: Engine, library: Library, clock: Clock) -> BotEngine:
    content = Content.build(library, "en", Settings().matching.thresholds)
    return BotEngine(Store(db_engine), content, clock, UNLIMITED)
