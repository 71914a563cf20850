"""Claims that matched nothing, held in memory for a few minutes so their sender can choose to
send them to the editors. Never written to the database unless the person taps "send"; lost on
restart (the person is then asked to send the claim again)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict

TTL = dt.timedelta(minutes=15)
MAX_ENTRIES = 10_000


class PendingClaims:
    def __init__(self) -> None:
        self._items: OrderedDict[str, tuple[str, str, dt.datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, user: str, text: str, language: str, now: dt.datetime) -> None:
        with self._lock:
            self._items.pop(user, None)
            self._items[user] = (text, language, now + TTL)
            while len(self._items) > MAX_ENTRIES:
                self._items.popitem(last=False)

    def take(self, user: str, now: dt.datetime) -> tuple[str, str] | None:
        with self._lock:
            entry = self._items.pop(user, None)
        if entry is None or entry[2] < now:
            return None
        return entry[0], entry[1]

    def drop(self, user: str) -> None:
        with self._lock:
            self._items.pop(user, None)
