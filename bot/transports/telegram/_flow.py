"""How updates flow in: concurrency, ordering, duplicates, and the per-person inline limit.

Incoming: different chats are served in parallel (one slow fact-check must not stall everyone),
but one chat's updates are handled strictly in the order Telegram sent them, because each may
change that person's state. An update id seen again (Telegram re-delivers a webhook update whose
answer it did not get) is handled once. The per-chat locks live only while that chat has updates
in flight, so raw chat ids (in a private chat, the user's id) are not kept in memory afterwards.

Telegram sends an inline query for nearly every character typed after the bot's name, and a
script can send hundreds a second. Each person's are answered at most `burst` at once and then
`per_second`; the rest get no answer and cost no work (no search, no call to Telegram). People
are told apart by their pseudonym, never their raw id, and only the most recent are remembered.

Outgoing calls: see `_outgoing`.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.engine.ratelimit import take_after

SEEN_UPDATES = 4096
REMEMBERED_PEOPLE = 10_000


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Up to `max_concurrent_updates` updates at once, one at a time per chat, each once."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}
        self._seen: OrderedDict[int, None] = OrderedDict()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if isinstance(update, Update) and self._seen_before(update.update_id):
            if inspect.iscoroutine(coroutine):
                coroutine.close()
            return
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._enter(chat.id)
        try:
            async with lock:
                await coroutine
        finally:
            self._leave(chat.id)

    async def initialize(self) -> None:
        """Nothing to set up; state is per update."""

    async def shutdown(self) -> None:
        """Nothing to release; locks vanish with their last update."""

    def _seen_before(self, update_id: int) -> bool:
        if update_id in self._seen:
            return True
        self._seen[update_id] = None
        if len(self._seen) > SEEN_UPDATES:
            self._seen.popitem(last=False)
        return False

    def _enter(self, chat_id: int) -> asyncio.Lock:
        lock, users = self._locks.get(chat_id, (asyncio.Lock(), 0))
        self._locks[chat_id] = (lock, users + 1)
        return lock

    def _leave(self, chat_id: int) -> None:
        lock, users = self._locks[chat_id]
        if users == 1:
            del self._locks[chat_id]
        else:
            self._locks[chat_id] = (lock, users - 1)


class PersonRate:
    """A token bucket per person: `burst` at once, then `per_second`."""

    def __init__(
        self,
        burst: int,
        per_second: float,
        *,
        remembered: int = REMEMBERED_PEOPLE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._burst = burst
        self._per_second = per_second
        self._remembered = remembered
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float | None, float]] = OrderedDict()  # tokens, when

    def take(self, person: str) -> bool:
        """Whether `person` may have one more now (and if so, count it)."""
        now = self._clock()
        tokens, then = self._buckets.pop(person, (None, now))
        allowed, left = take_after(tokens, now - then, self._burst, self._per_second)
        self._buckets[person] = (left, now)
        if len(self._buckets) > self._remembered:
            self._buckets.popitem(last=False)  # the longest quiet; back to a full bucket
        return allowed
