"""The composition root: what it builds from settings."""

from __future__ import annotations

import pytest

from bot.app import open_database
from bot.config import Settings
from bot.service.threads import ENGINE_THREADS


@pytest.mark.postgres
def test_the_postgresql_pool_holds_a_connection_per_engine_thread(postgres_url: str) -> None:
    """A worker runs ENGINE_THREADS engine threads and the jobs; a smaller pool would make
    threads open and close connections under load."""
    from bot.storage import db

    db.upgrade(db.open_engine(postgres_url))
    engine = open_database(Settings.model_validate({"database": {"url": postgres_url}}))
    try:
        assert engine.pool.size() == ENGINE_THREADS + 1  # type: ignore[attr-defined]
    finally:
        engine.dispose()
    chosen = Settings.model_validate({"database": {"url": postgres_url, "pool_size": 3}})
    engine = open_database(chosen)
    try:
        assert engine.pool.size() == 3  # type: ignore[attr-defined]
    finally:
        engine.dispose()
