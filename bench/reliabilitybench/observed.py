"""The fake Bot API as learners see it (each chat's messages and button answers), refusing a
share of requests with 429, 500 or a dropped connection, or dropping the connection after the
call was performed. A message that was delivered is in the chat, whether or not the bot heard
so.

Calls that must not be repeated (sends and edits) get the faults under which they arrive at
most once: 429, 500, and the answer lost after delivery. A connection dropped before the method
ran looks the same to the bot as one dropped after it, so on those calls it would be a lost
message by design; that fault goes only to calls the bot may repeat (getUpdates, button answers).
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from bot.testing.buttons import keyboard_data, verb_of
from bot.testing.fakebotapi import FakeBotApi
from reliabilitybench.common import SEED

FAULTY = frozenset({"sendMessage", "editMessageText", "answerCallbackQuery", "getUpdates"})
SENDS = frozenset({"sendMessage", "editMessageText", "sendPhoto", "sendDocument"})
FAULT_KINDS: list[Any] = ["429", "500", "drop", "answer_drop"]
FAULT_WEIGHTS = {  # per kind above: for sends and edits, and for calls the bot may repeat
    True: [15, 45, 0, 40],
    False: [15, 30, 30, 25],
}
FAULTS_PER_REQUEST = 2
FAULT_RATE = 0.1


@dataclass(frozen=True)
class Delivery:
    """A message put in a chat (sent, or edited in place) as the person sees it."""

    method: str
    message_id: int
    text: str
    buttons: tuple[str, ...]

    @property
    def verbs(self) -> frozenset[str]:
        return frozenset(verb_of(data) for data in self.buttons)


class ObservedApi(FakeBotApi):
    """The fake Bot API, indexed per chat for waiting learners, refusing some requests."""

    def __init__(self, *, seed: int = SEED, fault_rate: float = 0.0) -> None:
        super().__init__(max_poll=2.0)
        self.fault_rate = fault_rate
        self.injected: Counter[str] = Counter()
        self._rng = random.Random(seed)
        self._tries: Counter[tuple[Any, ...]] = Counter()
        self._serial = threading.Lock()
        self._arrival = threading.local()  # each request is handled in a thread of its own
        self._seen = threading.Condition()
        self._chats: dict[int, list[Delivery]] = defaultdict(list)
        self._notices: dict[str, str] = {}
        self.last_update_id = 0
        self.polls = 0

    def __enter__(self) -> ObservedApi:
        super().__enter__()
        return self

    def push(self, kind: str, payload: dict[str, Any]) -> int:
        update_id = super().push(kind, payload)
        with self._seen:
            self.last_update_id = max(self.last_update_id, update_id)
        return update_id

    def handle(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, Any] | None:
        self._arrival.at = time.monotonic()  # before waiting for the lock below
        if method == "getUpdates":
            with self._seen:
                self.polls += 1
                self._seen.notify_all()
        if not self.fault_rate or method not in FAULTY:
            return super().handle(token, method, params)
        # One request of a method at a time, so a fault lands on the request it was meant for
        # (getUpdates has a single caller anyway, and must not block the others).
        lock: contextlib.AbstractContextManager[Any] = (
            contextlib.nullcontext() if method == "getUpdates" else self._serial
        )
        with lock:
            self._maybe_fail(method, params)
            return super().handle(token, method, params)

    def arrived(self) -> float:
        return float(self._arrival.at)

    def _maybe_fail(self, method: str, params: dict[str, Any]) -> None:
        key = _request_key(method, params)
        if self._tries[key] >= FAULTS_PER_REQUEST or self._rng.random() >= self.fault_rate:
            return
        self._tries[key] += 1
        kind = self._rng.choices(FAULT_KINDS, FAULT_WEIGHTS[method in SENDS])[0]
        self.fail(method, kind, retry_after=1)
        self.injected[kind] += 1

    def performed(self, method: str, params: dict[str, Any], answer: tuple[int, Any]) -> None:
        status, body = answer
        with self._seen:
            if method == "answerCallbackQuery" and status == 200:
                self._notices[str(params.get("callback_query_id"))] = str(params.get("text") or "")
            elif method in SENDS and "chat_id" in params:
                unchanged = status == 400 and "not modified" in str(body.get("description"))
                if status == 200:
                    message_id = int(body["result"]["message_id"])
                elif method == "editMessageText" and unchanged:
                    message_id = int(params.get("message_id") or 0)
                else:
                    return
                shown = str(params.get("text") or params.get("caption") or "")
                buttons = keyboard_data(params.get("reply_markup"))
                chat = int(params["chat_id"])
                self._chats[chat].append(Delivery(method, message_id, shown, buttons))
            self._seen.notify_all()

    def redeliver(self, since: float) -> int:
        """Queue again, under their own ids, the updates fetched since `since` (monotonic):
        what Telegram does when the confirmation of a fetch never reached it. Returns how many.
        """
        with self._cond:
            again: dict[int, dict[str, Any]] = {}
            for call in self._calls:
                if call.method == "getUpdates" and call.ok and call.at >= since and call.result:
                    again.update((int(update["update_id"]), update) for update in call.result)
            queued = {int(update["update_id"]) for update in self._state.pending}
            fresh = [update for key, update in sorted(again.items()) if key not in queued]
            if fresh:
                pending = [*self._state.pending, *fresh]
                self._state.pending = sorted(pending, key=lambda update: int(update["update_id"]))
                self._state.confirmed = min(self._state.confirmed, int(fresh[0]["update_id"]))
                self._cond.notify_all()
            return len(fresh)

    def deliveries(self, chat_id: int, start: int = 0) -> list[Delivery]:
        with self._seen:
            return list(self._chats[chat_id][start:])

    def delivered(self, chat_id: int) -> int:
        with self._seen:
            return len(self._chats[chat_id])

    def notice(self, query_id: str) -> str | None:
        """The text a button press was answered with ("" for none); None while unanswered."""
        with self._seen:
            return self._notices.get(query_id)

    def wait_change(self, timeout: float) -> None:
        with self._seen:
            self._seen.wait(timeout)

    def wait_polls(self, above: int, timeout: float) -> None:
        """Block until getUpdates was called more than `above` times."""
        deadline = time.monotonic() + timeout
        with self._seen:
            while self.polls <= above:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the bot never polled for updates")
                self._seen.wait(remaining)


def _request_key(method: str, params: dict[str, Any]) -> tuple[Any, ...]:
    if method == "getUpdates":
        return (method, params.get("offset"))
    if method == "answerCallbackQuery":
        return (method, params.get("callback_query_id"))
    return (method, params.get("chat_id"), params.get("message_id"), params.get("text"))
