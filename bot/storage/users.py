"""People (by pseudonym) and the platform events already handled.

A person's row is read and written by this repository itself, not through the ORM's unit of
work. Every event locks and reads it, and nearly every event changes it (the button tag, the rate
limit's tokens): loading it into the ORM's identity map and flushing it (change history, ordering,
the generic UPDATE) was an eighth of the engine's work for a button press. Here the row is read
with one prepared SELECT (FOR UPDATE, as before: on PostgreSQL the row stays locked until the unit
ends), and the columns that changed are written with one UPDATE when the unit of work ends, or
before the person's row is read back within it (an export). Only what changed is written, as the
ORM did, and it is committed with the rest of the unit, as before.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session, instrumentation
from sqlalchemy.sql.dml import Update

from bot.storage.repository import Repository, hour_of, insert_new
from bot.storage.tables import ProcessedEvent, User

_USERS = cast(Table, User.__table__)
_NEW_USER = instrumentation.manager_of_class(User).new_instance
# Built once: every event reads its person's row and records its id, so building the statements
# anew each time shows on the profile.
_BY_KEY = select(_USERS).where(_USERS.c.key == bindparam("key")).with_for_update()
_COLUMNS = tuple(column.key for column in _USERS.columns)
_CHANGEABLE = tuple(name for name in _COLUMNS if name not in ("id", "key", "created_at"))
_EVENTS = ProcessedEvent.__table__.c
# RETURNING, not rowcount: drivers disagree on rowcount for a skipped insert.
_FIRST_TIME = {
    dialect: insert_new(
        dialect,
        ProcessedEvent,
        event_id=bindparam("event_id", type_=_EVENTS.event_id.type),
        processed_at=bindparam("at", type_=_EVENTS.processed_at.type),
    ).returning(_EVENTS.event_id)
    for dialect in ("sqlite", "postgresql")
}
_UPDATES: dict[tuple[str, ...], Update] = {}  # one statement per set of changed columns


def _update_of(names: tuple[str, ...]) -> Update:
    """UPDATE of these columns of one person, built once per set of columns."""
    statement = _UPDATES.get(names)
    if statement is None:
        values = {name: bindparam(f"new_{name}", type_=_USERS.c[name].type) for name in names}
        statement = update(_USERS).where(_USERS.c.id == bindparam("row_id")).values(values)
        _UPDATES[names] = statement
    return statement


class Users(Repository):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._read: list[tuple[User, dict[str, Any]]] = []  # people read, as last written

    def user(self, key: str, now: dt.datetime) -> User:
        """The user with pseudonym `key`, created on first contact, locked for this unit.

        The row is this unit's to change: assign to its attributes, and `write` (which the
        unit calls when it ends) stores what changed."""
        connection = self._session.connection()
        row = connection.execute(_BY_KEY, {"key": key}).one_or_none()
        if row is None:
            new = self._insert_new(User, key=key, seq=0, lesson_card=0, created_at=now)
            connection.execute(new)
            row = connection.execute(_BY_KEY, {"key": key}).one()
        values = dict(zip(_COLUMNS, row, strict=True))
        # Filled in as the ORM's loader fills what it reads (the constructor would set each
        # column through its change tracking: nearly half of this method's time). The ORM sets
        # up its attributes on first use, which this may be: configure() does it, else nothing.
        User.registry.configure()
        user = _NEW_USER()
        user.__dict__.update(values)
        self._read.append((user, values))
        return user

    def write(self) -> None:
        """Store the changes made to the people this unit read (once each; again after more
        changes)."""
        for user, stored in self._read:
            changed = {
                name: value
                for name in _CHANGEABLE
                if (value := getattr(user, name)) != stored[name]
            }
            if not changed:
                continue
            params = {f"new_{name}": value for name, value in changed.items()}
            self._session.connection().execute(
                _update_of(tuple(changed)), {"row_id": user.id, **params}
            )
            stored.update(changed)

    def first_time(self, event_id: str, now: dt.datetime) -> bool:
        """Record a platform event id; False when it was handled before (a re-delivery).

        Run on the unit's connection, past the session's bookkeeping (an ORM execution and a
        check for changes to flush first): the table is one the session never holds."""
        insert = _FIRST_TIME[self._dialect]
        params = {"event_id": event_id, "at": hour_of(now)}
        return self._session.connection().execute(insert, params).scalar() is not None

    def user_by_id(self, user_id: int) -> User:
        return self._session.get_one(User, user_id)

    def find_user(self, key: str) -> User | None:
        return self._session.scalar(select(User).where(User.key == key))

    def bump(self, user: User) -> int:
        """Advance the user's button tag: every button shown before this is now stale."""
        user.seq += 1
        return user.seq
