"""How calls flow out to Telegram: the overall send limit, 429s, and which failures are retried.

The limit. Telegram allows about 30 messages a second to all chats together. A leaky bucket
(what `AIORateLimiter` uses for it) lets a burst through on top of the steady rate: up to twice
the limit in one second. `SlidingWindow` instead gives each request a time at least a window
after the one `limit` places before it, so no window holds more than `limit`; the window is a
second plus a small margin for requests that take different times to reach Telegram. Requests
also leave at least 1/limit of a second apart, so a burst goes out evenly instead of all at once
(bunched requests reach Telegram after uneven delays, the last of them late enough to share a
second with the next batch); that costs a waiting request at most those few milliseconds. Every
call that puts something in a chat counts (any call with a chat_id) and so do inline answers;
answers to button presses, fetching updates and set-up calls do not. Groups keep
`AIORateLimiter`'s 20 messages a minute each, and a 429's `retry_after` holds every request.

Retries, at most once. A call that creates or changes something (sendMessage, sendPhoto,
sendDocument, edit*, ...) is sent again only when Telegram cannot have acted on it: no
connection could be had (`NotSentError`), a 429, or a 5xx answer in Telegram's own words (500, 503).
After a read timeout, a connection dropped once the request had left, or a 502/504 from a
gateway, the message may have been delivered: such a call is not repeated but fails with
`MayHaveArrivedError`, and the renderer goes on with the rest of the reply. A message can then
be lost, but never sent twice.
Calls whose repetition changes nothing a person sees are retried after any network failure:
reads (getUpdates with the same offset, getMe, getWebhookInfo, ...), setting the webhook and
the command menus, and answers to button presses and inline queries. Telegram refuses a second
answer to the same query ("query is too old"); after a first try whose fate is unknown, that
refusal means the first answer arrived, and the call counts as done.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

from bot.transports.telegram._http import NotSentError, ServerError

log = logging.getLogger(__name__)

MARGIN_SECONDS = 0.1  # added to the window: requests reach Telegram after uneven delays
REPEATABLE = frozenset(
    {
        "getUpdates",
        "getMe",
        "getWebhookInfo",
        "getMyCommands",
        "getChat",
        "getFile",
        "setWebhook",
        "deleteWebhook",
        "setMyCommands",
        "deleteMyCommands",
        "answerCallbackQuery",
        "answerInlineQuery",
    }
)
ANSWERS = frozenset({"answerCallbackQuery", "answerInlineQuery"})
GATEWAY_STATUSES = frozenset({502, 504})  # a gateway's word: the call may have gone further

Result = bool | dict[str, Any] | list[dict[str, Any]]


class MayHaveArrivedError(NetworkError):
    """A call that must not be repeated failed after it left: Telegram may have acted on it."""


class SlidingWindow:
    """At most `limit` requests leave in any `period` seconds, each at least `spacing` seconds
    after the one before, one at a time in the order they asked.

    The window counts the times requests really left, not the times they were given: a busy
    event loop wakes sleepers late, and requests given evenly spaced times would then leave
    bunched together."""

    def __init__(
        self,
        limit: int,
        period: float,
        spacing: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.period = period
        self.spacing = spacing
        self._clock = clock
        self._left: deque[float] = deque(maxlen=limit)  # when the last `limit` requests left
        self._turn: asyncio.Lock | None = None

    def wait(self) -> float:
        """Seconds until the next request may leave; 0 or less: now."""
        now = self._clock()
        ready = now
        if self._left:
            ready = max(ready, self._left[-1] + self.spacing)
        if len(self._left) == self.limit:
            ready = max(ready, self._left[0] + self.period)
        return ready - now

    def leave(self) -> None:
        """Count a request leaving now."""
        self._left.append(self._clock())

    async def acquire(self) -> None:
        if self._turn is None:
            self._turn = asyncio.Lock()
        async with self._turn:
            while (delay := self.wait()) > 0:
                await asyncio.sleep(delay)
            self.leave()


def window_for(per_second: float) -> SlidingWindow | None:
    """The window that keeps `per_second` in every second; None (no limit) for 0."""
    if per_second <= 0:
        return None
    limit = max(1, math.floor(per_second))
    period = max(1.0, limit / per_second) + MARGIN_SECONDS
    return SlidingWindow(limit, period, spacing=1.0 / per_second)


def counts_toward_limit(endpoint: str, data: dict[str, Any]) -> bool:
    """Whether a call puts something in front of people: anything sent to a chat, and inline
    answers."""
    return data.get("chat_id") is not None or endpoint == "answerInlineQuery"


def never_arrived(error: NetworkError) -> bool:
    """Whether Telegram cannot have acted on the request that failed this way."""
    if isinstance(error, NotSentError):
        return True
    return isinstance(error, ServerError) and error.status not in GATEWAY_STATUSES


def may_repeat(endpoint: str, error: NetworkError) -> bool:
    """Whether a call that failed this way may be sent again without doing anything twice."""
    return endpoint in REPEATABLE or never_arrived(error)


class OutgoingLimiter(AIORateLimiter):
    """`AIORateLimiter` (per-group limits, 429s) with the sliding overall limit and at-most-once
    retries of network failures."""

    def __init__(
        self,
        *,
        per_second: float = 30.0,
        attempts: int = 4,
        backoff: float = 0.5,
        retry_after_retries: int = 3,
    ) -> None:
        # The overall limit is the sliding window's; AIORateLimiter applies none when it is 0.
        super().__init__(max_retries=retry_after_retries, overall_max_rate=0)
        self.window = window_for(per_second)
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
        window = self.window if counts_toward_limit(endpoint, data) else None

        async def send(*call_args: Any, **call_kwargs: Any) -> Result:
            if window is not None:  # every attempt, 429 retries too, takes a place
                await window.acquire()
            return await callback(*call_args, **call_kwargs)

        unknown = False  # whether an earlier attempt may have arrived
        for attempt in range(1, self._attempts + 1):
            try:
                return await super().process_request(
                    send, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest as exc:
                if unknown and endpoint in ANSWERS and "query is too old" in exc.message.lower():
                    return True  # the earlier answer arrived; this one came too late
                raise
            except NetworkError as exc:
                if not may_repeat(endpoint, exc):
                    what = type(exc).__name__
                    log.warning("%s failed after it may have arrived (%s)", endpoint, what)
                    raise MayHaveArrivedError(f"{endpoint}: {what}") from exc
                if attempt == self._attempts:
                    raise
                unknown = unknown or not never_arrived(exc)
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # pragma: no cover
