"""Alembic environment: migrate the engine civicbot hands over, or alembic.ini's URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from bot.storage.db import open_engine
from bot.storage.tables import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    engine = config.attributes.get("engine")
    if not isinstance(engine, Engine):
        engine = open_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


run()
