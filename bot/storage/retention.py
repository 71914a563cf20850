"""Running the retention purge against a database with the configured periods."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from bot.config import Settings
from bot.storage.privacy import Retention
from bot.storage.unit import Store


def retention_of(settings: Settings) -> Retention:
    r = settings.retention
    return Retention(
        queued_claims_days=r.queued_claims_days,
        feedback_days=r.feedback_days,
        activity_days=r.activity_days,
        inactive_user_days=r.inactive_user_days,
    )


def purge_now(engine: Engine, settings: Settings, now: dt.datetime | None = None) -> dict[str, int]:
    return Store(engine).purge(now or dt.datetime.now(dt.UTC), retention_of(settings))
