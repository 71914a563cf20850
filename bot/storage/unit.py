"""Units of work: one transaction, and the repositories that work inside it.

The engine handles one incoming event inside one unit of work: the user's row is locked (on
PostgreSQL) for the whole event, so two workers never interleave one person's events, and
everything the event changed is committed before any reply is sent. Callers see repositories,
never the session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.claims import Claims
from bot.storage.classroom import ClassRuns
from bot.storage.learning import Lessons, Quizzes
from bot.storage.outbox import Outbox, Subscriptions
from bot.storage.privacy import Privacy, Retention
from bot.storage.reports import Reports
from bot.storage.reviews import Assessments, Reviews
from bot.storage.users import Users


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._sqlite = engine.dialect.name == "sqlite"

    @property
    def one_writer(self) -> bool:
        """True when the database lets one unit write at a time (SQLite): units queue for it."""
        return self._sqlite

    @contextmanager
    def unit(self, *, write: bool = True) -> Iterator[Unit]:
        """One transaction: committed when the block ends normally, rolled back otherwise.

        On SQLite a unit that may write takes the write lock when it begins (BEGIN IMMEDIATE),
        so what it reads cannot change under it: otherwise its first reads would run outside
        any transaction, and a unit changing the same person meanwhile would have its change
        overwritten. (PostgreSQL units lock the person's row instead; see `Users.user`.) A unit
        that only reads (`write=False`: reports) sees one snapshot (on PostgreSQL: REPEATABLE
        READ) and takes no lock, so the bot goes on writing meanwhile.
        """
        with self._sessions() as session, session.begin():
            if self._sqlite:
                session.connection().exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
            elif not write:
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            unit = Unit(session)
            yield unit
            unit.write()

    def purge(self, now: dt.datetime, retention: Retention) -> dict[str, int]:
        """Delete what is older than the retention periods, in one unit."""
        with self.unit() as unit:
            return unit.privacy.purge(now, retention)


class Unit:
    """The repositories of one transaction, each for one area of the schema."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def write(self) -> None:
        """Store the changes to the people this unit read (see `Users`); the unit's end does."""
        if "users" in self.__dict__:  # the cached repository exists: someone was read
            self.users.write()

    @cached_property
    def users(self) -> Users:
        return Users(self._session)

    @cached_property
    def lessons(self) -> Lessons:
        return Lessons(self._session)

    @cached_property
    def quizzes(self) -> Quizzes:
        return Quizzes(self._session, self.reviews)

    @cached_property
    def reviews(self) -> Reviews:
        return Reviews(self._session)

    @cached_property
    def assessments(self) -> Assessments:
        return Assessments(self._session)

    @cached_property
    def claims(self) -> Claims:
        return Claims(self._session)

    @cached_property
    def subscriptions(self) -> Subscriptions:
        return Subscriptions(self._session)

    @cached_property
    def outbox(self) -> Outbox:
        return Outbox(self._session)

    @cached_property
    def reports(self) -> Reports:
        return Reports(self._session)

    @cached_property
    def privacy(self) -> Privacy:
        return Privacy(self._session, self.write)

    @cached_property
    def classroom(self) -> ClassRuns:
        return ClassRuns(self._session)
