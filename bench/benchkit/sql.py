"""Reading figures from a bot's database after a run (the bot itself is stopped or elsewhere)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, text

from bot.storage import db


@contextlib.contextmanager
def connected(url: str) -> Iterator[Connection]:
    """A connection of its own, and its engine disposed of afterwards."""
    engine = db.open_engine(url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def rows(url: str, query: str) -> list[tuple[Any, ...]]:
    """Every row `query` returns."""
    with connected(url) as connection:
        return [tuple(row) for row in connection.execute(text(query))]


def counts(url: str, tables: Sequence[str], where: str = "") -> dict[str, int]:
    """Rows per table (`where`, when given, filters every one of them)."""
    condition = f" WHERE {where}" if where else ""
    with connected(url) as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}{condition}")).scalar_one()
            for table in tables
        }
