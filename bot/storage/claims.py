"""Claims: what was checked (anonymous), what was sent to the editors, and feedback."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from bot.storage.repository import Repository, hour_of
from bot.storage.tables import (
    CheckEvent,
    Feedback,
    QueuedClaim,
    User,
)


class Claims(Repository):
    def record_check(
        self, language: str, tier: str, factcheck_id: str | None, now: dt.datetime
    ) -> None:
        self._session.add(
            CheckEvent(
                created_at=hour_of(now), language=language, tier=tier, factcheck_id=factcheck_id
            )
        )

    def queue_claim(self, user: User, language: str, text: str, now: dt.datetime) -> QueuedClaim:
        claim = QueuedClaim(user_id=user.id, language=language, text=text, created_at=now)
        self._session.add(claim)
        self._session.flush()
        return claim

    def claims_queued_since(self, user: User, since: dt.datetime) -> int:
        return int(
            self._session.scalar(
                select(func.count(QueuedClaim.id)).where(
                    QueuedClaim.user_id == user.id, QueuedClaim.created_at >= since
                )
            )
            or 0
        )

    def open_claims(self) -> list[QueuedClaim]:
        return list(
            self._session.scalars(
                select(QueuedClaim)
                .where(QueuedClaim.factcheck_id.is_(None))
                .order_by(QueuedClaim.id)
            )
        )

    def claim_by_id(self, claim_id: int, *, lock: bool = False) -> QueuedClaim | None:
        """The queued claim; with `lock`, locked for this unit (two workers answering the same
        claim after a reload must not both tell its sender)."""
        return self._session.get(QueuedClaim, claim_id, with_for_update=lock or None)

    def open_claims_of(self, user: User) -> list[QueuedClaim]:
        return list(
            self._session.scalars(
                select(QueuedClaim).where(
                    QueuedClaim.user_id == user.id, QueuedClaim.factcheck_id.is_(None)
                )
            )
        )

    def add_feedback(
        self, user: User, factcheck_id: str, language: str, helpful: bool, now: dt.datetime
    ) -> Feedback:
        feedback = Feedback(
            user_id=user.id,
            factcheck_id=factcheck_id,
            language=language,
            helpful=helpful,
            created_at=now,
        )
        self._session.add(feedback)
        self._session.flush()
        return feedback

    def feedback(self, user: User, feedback_id: int) -> Feedback | None:
        return self._session.scalar(
            select(Feedback).where(Feedback.id == feedback_id, Feedback.user_id == user.id)
        )
