"""People (by pseudonym) and the platform events already handled."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, select

from bot.storage.repository import Repository, hour_of
from bot.storage.tables import ProcessedEvent, User

# Built once: every event reads its person's row, so statement building shows on the profile.
_BY_KEY = select(User).where(User.key == bindparam("key")).with_for_update()


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
        insert = self._insert_new(ProcessedEvent, event_id=event_id, processed_at=hour_of(now))
        # RETURNING, not rowcount: drivers disagree on rowcount for a skipped insert.
        column = ProcessedEvent.__table__.c.event_id
        inserted = self._session.execute(insert.returning(column)).scalar()
        return inserted is not None

    def user_by_id(self, user_id: int) -> User:
        return self._session.get_one(User, user_id)

    def find_user(self, key: str) -> User | None:
        return self._session.scalar(select(User).where(User.key == key))

    def bump(self, user: User) -> int:
        """Advance the user's button tag: every button shown before this is now stale."""
        user.seq += 1
        return user.seq
