"""People (by pseudonym) and the platform events already handled."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, select

from bot.storage.repository import Repository, hour_of, insert_new
from bot.storage.tables import ProcessedEvent, User

# Built once: every event reads its person's row and records its id, so building the statements
# anew each time shows on the profile.
_BY_KEY = select(User).where(User.key == bindparam("key")).with_for_update()
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


class Users(Repository):
    def user(self, key: str, now: dt.datetime) -> User:
        """The user with pseudonym `key`, created on first contact, locked for this unit."""
        row = self._session.scalars(_BY_KEY, {"key": key}).one_or_none()
        if row is None:
            new = self._insert_new(User, key=key, seq=0, lesson_card=0, created_at=now)
            self._session.execute(new)
            row = self._session.scalars(_BY_KEY, {"key": key}).one()
        return row

    def first_time(self, event_id: str, now: dt.datetime) -> bool:
        """Record a platform event id; False when it was handled before (a re-delivery)."""
        insert = _FIRST_TIME[self._dialect]
        params = {"event_id": event_id, "at": hour_of(now)}
        return self._session.execute(insert, params).scalar() is not None

    def user_by_id(self, user_id: int) -> User:
        return self._session.get_one(User, user_id)

    def find_user(self, key: str) -> User | None:
        return self._session.scalar(select(User).where(User.key == key))

    def bump(self, user: User) -> int:
        """Advance the user's button tag: every button shown before this is now stale."""
        user.seq += 1
        return user.seq
