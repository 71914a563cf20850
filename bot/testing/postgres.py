"""The test PostgreSQL server, shared by the fixtures and the benchmarks: is it reachable, and a
private schema on it that is dropped afterwards."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

from sqlalchemy import create_engine, text

POSTGRES_URL = os.environ.get(
    "CIVICBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
_PROBLEM: list[str | None] = []


def _reachable() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {type(exc).__name__}"
    return None


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used (asked once per process), or None."""
    if not _PROBLEM:
        _PROBLEM.append(_reachable())
    return _PROBLEM[0]


@contextlib.contextmanager
def private_schema(prefix: str = "t") -> Iterator[str]:
    """A URL whose connections use a fresh schema of their own, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
