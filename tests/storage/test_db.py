"""The schema comes from migrations alone, and the migrations match the models, on SQLite and
PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from bot.storage import db
from bot.storage.tables import Base


def test_models_and_migrations_agree(db_engine: Engine) -> None:
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    assert db.is_current(db_engine)


def test_downgrade_and_upgrade_again(db_engine: Engine) -> None:
    db.upgrade(db_engine)  # idempotent at head
    tables = set(inspect(db_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    from alembic import command

    command.downgrade(db.alembic_config(db_engine), "base")
    assert set(Base.metadata.tables).isdisjoint(inspect(db_engine).get_table_names())
    db.upgrade(db_engine)
    assert db.is_current(db_engine)


def test_sqlite_file_and_folder_are_created(tmp_path: object) -> None:
    from pathlib import Path

    target = Path(str(tmp_path)) / "deep" / "folder" / "bot.sqlite3"
    engine = db.open_engine(f"sqlite:///{target}")
    db.upgrade(engine)
    assert target.is_file()
    engine.dispose()
