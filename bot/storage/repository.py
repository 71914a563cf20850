"""What every repository shares: the unit's session and inserts that tolerate a race.

Repositories are the only code that talks SQL. Each one covers one area of the schema; a unit of
work (see `unit.py`) hands them one session, so everything an event changes commits together.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar, cast

from sqlalchemy import ColumnElement, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from bot.storage.tables import Base

_Row = TypeVar("_Row", bound=Base)


def hour_of(moment: dt.datetime) -> dt.datetime:
    """The hour a moment falls in. Rows that name no person keep only this much of a time, so
    they cannot be lined up with a person's answers or feedback to the second."""
    return moment.replace(minute=0, second=0, microsecond=0)


def insert_new(dialect: str, model: type[Base], **values: object) -> Insert:
    """INSERT that does nothing when the row exists: safe when two workers race to create the
    same user, event or bucket (SQLite and PostgreSQL both speak ON CONFLICT). A plain table
    insert: the ORM's bulk-insert machinery would only add work."""
    table = cast(Table, model.__table__)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).values(**values).on_conflict_do_nothing()


class Repository:
    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _dialect(self) -> str:
        bind = self._session.bind
        return bind.dialect.name if bind is not None else "sqlite"

    def _insert_new(self, model: type[Base], **values: object) -> Insert:
        return insert_new(self._dialect, model, **values)

    def _locked_or_new(self, model: type[_Row], where: ColumnElement[bool], **new: object) -> _Row:
        """The row matching `where`, locked for this unit; inserted from `new` when missing."""
        query = select(model).where(where).with_for_update()
        row = self._session.scalars(query).one_or_none()
        if row is None:
            self._session.execute(self._insert_new(model, **new))
            row = self._session.scalars(query).one()
        return row
