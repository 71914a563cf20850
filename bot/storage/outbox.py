"""Messages sent unasked: subscriptions (with sealed addresses), the outbox, broadcasts, and
the send rate all workers share."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select, true

from bot.storage.repository import Repository
from bot.storage.tables import (
    Broadcast,
    RateBucket,
    Subscription,
    User,
)
from bot.storage.tables import (
    Outbox as OutboxRow,
)


class Subscriptions(Repository):
    def subscription(self, user: User, kind: str) -> Subscription | None:
        return self._session.scalar(
            select(Subscription).where(Subscription.user_id == user.id, Subscription.kind == kind)
        )

    def subscribe(
        self,
        user: User,
        kind: str,
        address: str,
        language: str,
        now: dt.datetime,
        next_at: dt.datetime | None,
    ) -> Subscription:
        existing = self.subscription(user, kind)
        if existing is not None:
            existing.address, existing.language, existing.next_at = address, language, next_at
            return existing
        subscription = Subscription(
            user_id=user.id,
            kind=kind,
            address=address,
            language=language,
            next_at=next_at,
            created_at=now,
        )
        self._session.add(subscription)
        return subscription

    def unsubscribe(self, user: User, kind: str) -> bool:
        existing = self.subscription(user, kind)
        if existing is None:
            return False
        self._session.delete(existing)
        return True

    def due_subscriptions(
        self, kind: str, now: dt.datetime, limit: int, user_id: int | None = None
    ) -> list[Subscription]:
        """Subscriptions whose next message is due (only `user_id`'s, when given), locked so
        one worker takes each."""
        only = Subscription.user_id == user_id if user_id is not None else true()
        return list(
            self._session.scalars(
                select(Subscription)
                .where(Subscription.kind == kind, Subscription.next_at <= now, only)
                .order_by(Subscription.next_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )

    def subscribers(self, kind: str) -> int:
        return int(
            self._session.scalar(
                select(func.count(Subscription.id)).where(Subscription.kind == kind)
            )
            or 0
        )


class Outbox(Repository):
    def enqueue(
        self,
        address: str,
        kind: str,
        text: str,
        now: dt.datetime,
        user_id: int | None = None,
        buttons: list[list[list[str]]] | None = None,
        broadcast_id: int | None = None,
    ) -> None:
        self._session.add(
            OutboxRow(
                user_id=user_id,
                address=address,
                kind=kind,
                text=text,
                buttons=buttons or [],
                status="pending",
                not_before=now,
                created_at=now,
                broadcast_id=broadcast_id,
            )
        )

    def create_broadcast(self, text: str, now: dt.datetime) -> Broadcast:
        broadcast = Broadcast(text=text, created_at=now, recipients=0)
        self._session.add(broadcast)
        self._session.flush()
        return broadcast

    def queue_broadcast(self, broadcast_id: int, kind: str, now: dt.datetime) -> int | None:
        """Put one message per subscriber in the outbox, once. None if already queued."""
        broadcast = self._session.scalars(
            select(Broadcast).where(Broadcast.id == broadcast_id).with_for_update()
        ).one_or_none()
        if broadcast is None or broadcast.queued_at is not None:
            return None
        count = 0
        for subscription in self._session.scalars(
            select(Subscription).where(Subscription.kind == kind).order_by(Subscription.id)
        ):
            self.enqueue(
                subscription.address,
                "broadcast",
                broadcast.text,
                now,
                subscription.user_id,
                broadcast_id=broadcast.id,
            )
            count += 1
        broadcast.queued_at, broadcast.recipients = now, count
        return count

    def rate_bucket(
        self, name: str, now: dt.datetime, per_second: float, burst: float
    ) -> RateBucket:
        """A token bucket shared by all workers, locked for this unit and refilled to `now`.

        The caller spends from `tokens` only what it actually uses.
        """
        row = self._locked_or_new(
            RateBucket, RateBucket.name == name, name=name, tokens=burst, updated_at=now
        )
        elapsed = max(0.0, (now - row.updated_at).total_seconds())
        row.tokens = min(burst, row.tokens + elapsed * per_second)
        row.updated_at = now
        return row

    def claim_outbox(
        self, now: dt.datetime, limit: int, user_id: int | None = None
    ) -> list[OutboxRow]:
        """Take pending messages (only `user_id`'s, when given) for sending: marked `sending`
        here, committed by the caller before anything is sent, so a crash can lose a message
        but never send it twice."""
        if limit <= 0:
            return []
        only = OutboxRow.user_id == user_id if user_id is not None else true()
        rows = list(
            self._session.scalars(
                select(OutboxRow)
                .where(OutboxRow.status == "pending", OutboxRow.not_before <= now, only)
                .order_by(OutboxRow.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        for row in rows:
            row.status = "sending"
        return rows

    def finish_outbox(self, outbox_id: int, sent: bool, now: dt.datetime) -> None:
        row = self._session.get(OutboxRow, outbox_id)
        if row is not None:
            row.status = "sent" if sent else "failed"
            row.sent_at = now if sent else None
            if sent:
                row.address = ""  # delivered: nothing left that could reach the person

    def cancel_pending(self, user: User, kinds: tuple[str, ...]) -> int:
        """Drop the person's messages of `kinds` not sent yet (they opted out of them)."""
        result = self._session.execute(
            delete(OutboxRow).where(
                OutboxRow.user_id == user.id,
                OutboxRow.status == "pending",
                OutboxRow.kind.in_(kinds),
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)
