"""How updates flow in and calls flow out: concurrency, ordering, duplicates, limits, retries.

Incoming: different chats are served in parallel (one slow fact-check must not stall everyone),
but one chat's updates are handled strictly in the order Telegram sent them, because each may
change that person's state. An update id seen again (Telegram re-delivers a webhook update whose
answer it did not get) is handled once. The per-chat locks live only while that chat has updates
in flight, so raw chat ids (in a private chat, the user's id) are not kept in memory afterwards.

Outgoing: Telegram's flood limits are kept by `AIORateLimiter`, which also waits out a 429's
`retry_after`; transient failures (a 5xx, a dropped connection, a timeout) are retried a few
times with back-off. Requests Telegram refused on their merits (400, 403) are not retried.
"""

from __future__ import annotations

import asyncio
import inspect
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from telegram import Update
from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter, BaseUpdateProcessor

SEEN_UPDATES = 4096

_P = ParamSpec("_P")
_T = TypeVar("_T")


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


Result = bool | dict[str, Any] | list[dict[str, Any]]


class PatientRateLimiter(AIORateLimiter):
    """`AIORateLimiter` that also retries transient network failures."""

    def __init__(
        self,
        *,
        attempts: int = 4,
        backoff: float = 0.5,
        retry_after_retries: int = 3,
        overall_per_second: float = 30.0,
    ):
        # AIORateLimiter applies no overall limit when the rate is 0.
        super().__init__(max_retries=retry_after_retries, overall_max_rate=overall_per_second)
        self._attempts = attempts
        self._backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        for attempt in range(1, self._attempts + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise
            except NetworkError:
                if attempt == self._attempts:
                    raise
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # pragma: no cover
