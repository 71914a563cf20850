"""What the bot keeps about a person, how they take it with them, erase it, and how long it stays.

Everything user-linked hangs off `users.id` through a `user_id` column; export and erasure walk
the table metadata, so a table added later cannot be forgotten. Tables with no link to a person
are listed in UNLINKED with the reason, and a test fails on any table that is in neither.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from bot.storage.repository import Repository
from bot.storage.tables import (
    Base,
    CheckEvent,
    Feedback,
    Outbox,
    ProcessedEvent,
    QueuedClaim,
    User,
)

# Tables that hold nothing about any one person, and why.
UNLINKED = {
    "processed_events": "platform update ids already handled, to ignore re-deliveries",
    "check_events": "that a claim was checked and how it went; no user, no text",
    "alembic_version": "the schema version",
    "broadcasts": "announcements admins wrote for everyone subscribed; no user",
    "rate_buckets": "send-rate counters shared by the workers; no user",
    "key_fingerprints": "one-way fingerprints of the keys the database was first used with",
    "class_runs": "a quiz a group is taking: per-question answer counts; no user; gone at its end",
}
# Columns exported as a placeholder instead of their value.
SEALED = {("subscriptions", "address"), ("outbox", "address")}
# Columns left out of the export: the pseudonym would let whoever gets hold of the file find the
# person's row in a leaked database without the key.
OMITTED = {("users", "key")}


def user_tables() -> list[Table]:
    """Every table with a row per person, other than `users` itself."""
    return [
        table
        for table in Base.metadata.sorted_tables
        if "user_id" in table.columns and table.name != "users"
    ]


def export_user(session: Session, user: User) -> dict[str, Any]:
    """Everything stored about `user`, as plain data (GDPR art. 15 and 20)."""
    users = Base.metadata.tables["users"]
    document: dict[str, Any] = {
        "users": [
            _row(users, r)
            for r in session.execute(select(users).where(users.c.id == user.id)).mappings()
        ]
    }
    for table in user_tables():
        rows = session.execute(
            select(table).where(table.c.user_id == user.id).order_by(*table.primary_key.columns)
        ).mappings()
        document[table.name] = [_row(table, row) for row in rows]
    return document


def export_json(session: Session, user: User) -> bytes:
    return json.dumps(export_user(session, user), ensure_ascii=False, indent=2).encode()


def _row(table: Table, row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        if (table.name, name) in OMITTED:
            continue
        if (table.name, name) in SEALED:
            out[name] = (
                "(sealed delivery address, deleted once the message is sent)"
                if table.name == "outbox"
                else "(sealed delivery address, deleted when you unsubscribe)"
            )
        elif isinstance(value, dt.datetime | dt.date):
            out[name] = value.isoformat()
        else:
            out[name] = value
    return out


def erase_user(session: Session, user: User) -> None:
    """Delete every row linked to `user`, then the user, in the caller's transaction."""
    for table in reversed(user_tables()):
        session.execute(delete(table).where(table.c.user_id == user.id))
    session.execute(delete(User).where(User.id == user.id))


@dataclass(frozen=True)
class Retention:
    queued_claims_days: int
    feedback_days: int
    activity_days: int
    inactive_user_days: int


def purge(session: Session, now: dt.datetime, retention: Retention) -> dict[str, int]:
    """Delete what has been kept long enough. Returns rows deleted per table."""

    def older(days: int) -> dt.datetime:
        return now - dt.timedelta(days=days)

    counts: dict[str, int] = {}

    def run(name: str, statement: Any) -> None:
        result = session.execute(statement)
        counts[name] = counts.get(name, 0) + max(0, getattr(result, "rowcount", 0) or 0)

    run(
        "queued_claims",
        delete(QueuedClaim).where(QueuedClaim.created_at < older(retention.queued_claims_days)),
    )
    run("feedback", delete(Feedback).where(Feedback.created_at < older(retention.feedback_days)))
    run(
        "check_events",
        delete(CheckEvent).where(CheckEvent.created_at < older(retention.activity_days)),
    )
    run(
        "outbox",
        delete(Outbox).where(
            Outbox.status != "pending", Outbox.created_at < older(retention.activity_days)
        ),
    )
    # Telegram re-delivers an update for at most a day; two days of ids is plenty.
    run("processed_events", delete(ProcessedEvent).where(ProcessedEvent.processed_at < older(2)))
    cutoff = (now - dt.timedelta(days=retention.inactive_user_days)).date()
    for stale in session.scalars(select(User).where(User.last_seen_on < cutoff)).all():
        erase_user(session, stale)
        counts["users"] = counts.get("users", 0) + 1
    return counts


class Privacy(Repository):
    """A person's rights over what is stored: take it all, or erase it all."""

    def __init__(self, session: Session, write_people: Callable[[], None]) -> None:
        super().__init__(session)
        self._write_people = write_people

    def export_json(self, user: User) -> bytes:
        self._write_people()  # the person's row as this event left it (see `Users`)
        return export_json(self._session, user)

    def erase(self, user: User) -> None:
        erase_user(self._session, user)

    def purge(self, now: dt.datetime, retention: Retention) -> dict[str, int]:
        return purge(self._session, now, retention)
