"""The test suite's fake Bot API with every call kept per chat, fast enough for tens of
thousands of calls.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from bot.testing.fakebotapi import FakeBotApi

MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
    }
)


@dataclass
class Seen:
    """One call the bot made, as the fake answered it; `at` is when it arrived."""

    method: str
    params: dict[str, Any]
    at: float
    status: int
    result: Any

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def message(self) -> dict[str, Any] | None:
        """The message the call created or edited, when it succeeded."""
        if self.ok and self.method in MESSAGE_METHODS and isinstance(self.result, dict):
            return self.result
        return None

    def signature(self) -> str:
        keep = {k: v for k, v in self.params.items() if k not in ("photo", "document")}
        return self.method + json.dumps(keep, sort_keys=True, default=str)


class BenchFake(FakeBotApi):
    """The test suite's fake Bot API, plus each chat's calls in arrival order (the suite's
    `calls()` scans every call, too slow for tens of thousands)."""

    def __init__(self) -> None:
        super().__init__()
        self._by_chat: defaultdict[int, list[Seen]] = defaultdict(list)
        self._query_chats: dict[str, int] = {}
        self._index = threading.Lock()

    def __enter__(self) -> BenchFake:
        super().__enter__()
        return self

    def open_callback(self, query: dict[str, Any]) -> None:
        """Make a button press known, as Telegram would before delivering it."""
        with self._cond:
            self._state.open_callbacks.add(query["id"])
        with self._index:
            self._query_chats[query["id"]] = int(query["message"]["chat"]["id"])

    def handle(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, Any] | None:
        at = time.monotonic()
        answer = super().handle(token, method, params)
        chat = params.get("chat_id")
        with self._index:
            if chat is None and method == "answerCallbackQuery":
                chat = self._query_chats.get(str(params.get("callback_query_id")))
            if isinstance(chat, int | str) and str(chat).lstrip("-").isdigit():
                status, body = answer if answer is not None else (0, None)
                result = body.get("result") if isinstance(body, dict) else None
                self._by_chat[int(chat)].append(Seen(method, params, at, status, result))
        return answer

    def chat_calls(self, chat: int, start: int = 0, stop: int | None = None) -> list[Seen]:
        with self._index:
            return list(self._by_chat.get(chat, [])[start:stop])

    def chat_lengths(self) -> dict[int, int]:
        with self._index:
            return {chat: len(calls) for chat, calls in self._by_chat.items()}

    def all_chat_calls(self) -> list[Seen]:
        with self._index:
            return [seen for calls in self._by_chat.values() for seen in calls]
