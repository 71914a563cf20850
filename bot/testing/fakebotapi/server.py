"""A small Telegram Bot API on loopback, so the real python-telegram-bot stack runs end to end.

It speaks the wire format python-telegram-bot uses (`POST {base_url}{token}/{method}`, form or
multipart bodies with JSON-encoded values, `{"ok": ..., "result": ...}` answers), keeps the state
a bot can observe (queued updates and their confirmation by offset, the messages the bot sent,
open callback and inline queries, the webhook, the command menus), validates what a real server
refuses (bad HTML, texts over the limits, oversized callback data, stale queries) and records
every call. Faults can be injected per method: 429 with `retry_after`, 500, a connection
dropped without an answer before the method is performed ("drop"), or one dropped after it was
performed ("answer_drop": the message is delivered, the bot never hears so, as when a response
is lost on the way back).
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal

from bot.testing.fakebotapi.files import ApiError
from bot.testing.fakebotapi.html_check import CAPTION_LIMIT, MESSAGE_LIMIT
from bot.testing.fakebotapi.methods import BOT_ID, BOT_USERNAME
from bot.testing.fakebotapi.polls import PollMethods
from bot.testing.fakebotapi.wire import LoopbackServer, _Handler

__all__ = ["BOT_ID", "BOT_USERNAME", "TOKEN", "Call", "FakeBotApi"]

TOKEN = "123456:AAH-fake-token-for-tests-0123456789"
FaultKind = Literal["429", "500", "drop", "answer_drop"]


@dataclass
class Call:
    """One request the bot made: decoded parameters, and once answered, the status and result."""

    method: str
    params: dict[str, Any]
    at: float
    fault: FaultKind | None = None
    status: int | None = None  # None while in progress; 0 for a dropped connection
    result: Any = None

    @property
    def ok(self) -> bool:
        """Performed and accepted (for "answer_drop", although the bot never heard so)."""
        return self.status == HTTPStatus.OK

    @property
    def performed(self) -> bool:
        """The fake acted on it: no fault, or one that struck only after the method ran."""
        return self.fault is None or self.fault == "answer_drop"


@dataclass
class _Fault:
    kind: FaultKind
    retry_after: int


class _PromptHandler(_Handler):
    """Answers leave at once: the handler writes the headers and the body separately, and with
    Nagle's algorithm on, the body waited for the client's delayed ACK (up to 40 ms a call)."""

    disable_nagle_algorithm = True


class FakeBotApi(PollMethods):
    """The server; use as a context manager. `base_url`/`base_file_url` go into the settings."""

    def __init__(self, token: str = TOKEN, *, max_poll: float = 30.0) -> None:
        super().__init__(max_poll=max_poll)
        self.token = token
        self._calls: list[Call] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._update_ids = itertools.count(1)
        self._delivered = 0  # the highest update_id a getUpdates answer carried
        self._activity = time.monotonic()  # the last call, answer or delivery
        self._server = LoopbackServer(self.handle, self.file_bytes)
        self._server.RequestHandlerClass = _PromptHandler
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifetime -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    def __enter__(self) -> FakeBotApi:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._server.shutdown()
        self._server.server_close()
        errors = self._server.internal_errors
        assert not errors, f"the fake Bot API failed: {errors!r}"

    # -- what tests do --------------------------------------------------------------------
    def push(self, kind: str, payload: dict[str, Any]) -> int:
        """Queue an update (`kind` is e.g. "message"); returns its update_id."""
        with self._cond:
            update_id = next(self._update_ids)
            self._remember(kind, payload)
            self._state.pending.append({"update_id": update_id, kind: payload})
            self._cond.notify_all()
            return update_id

    def add_chat(self, chat: dict[str, Any]) -> None:
        """Make a chat known without an update (webhook tests post updates themselves)."""
        with self._cond:
            self._state.chats[chat["id"]] = chat

    def push_message(self, message: dict[str, Any]) -> int:
        return self.push("message", message)

    def push_callback(self, query: dict[str, Any]) -> int:
        return self.push("callback_query", query)

    def push_inline(self, query: dict[str, Any]) -> int:
        return self.push("inline_query", query)

    def fail(self, method: str, kind: FaultKind, *, times: int = 1, retry_after: int = 1) -> None:
        """Make the next `times` calls of `method` fail with `kind`."""
        with self._cond:
            queue = self._faults.setdefault(method, deque())
            queue.extend(_Fault(kind, retry_after) for _ in range(times))

    def calls(self, method: str | None = None, *, faults: bool = False) -> list[Call]:
        """Recorded calls, oldest first: those performed (answer dropped or not); the ones an
        injected fault stopped only with `faults=True`."""
        with self._cond:
            return [
                call
                for call in self._calls
                if (method is None or call.method == method) and (faults or call.performed)
            ]

    def most_in_one_second(self) -> int:
        """The most requests that put something in front of people (any call with a chat_id,
        and inline answers; refused ones too) that arrived within one second."""
        with self._cond:
            times = sorted(
                call.at
                for call in self._calls
                if "chat_id" in call.params or call.method == "answerInlineQuery"
            )
        most, first = 0, 0
        for last, at in enumerate(times):
            while at - times[first] >= 1.0:
                first += 1
            most = max(most, last - first + 1)
        return most

    def wait_for(
        self,
        method: str,
        count: int = 1,
        *,
        where: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,
        answered: bool = True,
    ) -> list[Call]:
        """Block until `count` calls of `method` (matching `where`) succeeded; with
        `answered=False`, until they were made."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [
                    call
                    for call in self._calls
                    if call.method == method
                    and (call.ok or (not answered and call.performed))
                    and (where is None or where(call))
                ]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(call.method, call.status) for call in self._calls]
                    raise AssertionError(f"no {count} x {method} within {timeout}s; saw {seen}")
                self._cond.wait(remaining)

    def wait_idle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Block until every queued update was fetched and then, for `quiet` seconds, the bot
        made no call (other than waiting in a long poll) and had none in progress."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while time.monotonic() < deadline:
                fetched = all(u["update_id"] <= self._delivered for u in self._state.pending)
                busy = any(c.status is None and c.method != "getUpdates" for c in self._calls)
                if fetched and not busy and time.monotonic() - self._activity >= quiet:
                    return
                self._cond.wait(quiet / 3)
        raise AssertionError("the bot did not go quiet")

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """A message the bot sent, as Telegram would describe it now (after edits)."""
        with self._cond:
            stored = self._state.messages[(chat_id, message_id)]
        return {k: v for k, v in stored.items() if not k.startswith("_")}

    def html_of(self, chat_id: int, message_id: int) -> str:
        """The HTML a sent text message was last given (by sendMessage or an edit)."""
        with self._cond:
            return str(self._state.messages[(chat_id, message_id)].get("_html", ""))

    @property
    def confirmed_offset(self) -> int:
        """Updates below this id were confirmed by the bot (a later getUpdates offset)."""
        with self._cond:
            return self._state.confirmed

    @property
    def webhook(self) -> dict[str, Any]:
        with self._cond:
            return dict(self._state.webhook)

    def html_texts(self) -> list[tuple[str, str, int]]:
        """Every HTML text the bot sent, as (method, text, limit), for validity checks."""
        found: list[tuple[str, str, int]] = []
        for call in self.calls():
            params = call.params
            if params.get("parse_mode") == "HTML" and "text" in params:
                found.append((call.method, params["text"], MESSAGE_LIMIT))
            if params.get("parse_mode") == "HTML" and params.get("caption"):
                found.append((call.method, params["caption"], CAPTION_LIMIT))
            for result in params.get("results", []) if call.method == "answerInlineQuery" else []:
                content = result.get("input_message_content", {})
                if content.get("parse_mode") == "HTML":
                    found.append((call.method, content["message_text"], MESSAGE_LIMIT))
        return found

    # -- the server side ------------------------------------------------------------------
    def _remember(self, kind: str, payload: dict[str, Any]) -> None:
        if kind == "callback_query":
            self._state.open_callbacks.add(payload["id"])
            message = payload.get("message")
        elif kind == "inline_query":
            self._state.open_inline.add(payload["id"])
            message = None
        elif kind in ("poll", "poll_answer"):  # no chat: a poll's state, or one vote
            message = None
        else:
            message = payload
        if message is not None:
            self._state.chats[message["chat"]["id"]] = message["chat"]

    def handle(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, Any] | None:
        """(status, body) for one request, or None to drop the connection unanswered."""
        arrived = self.arrived()
        with self._cond:
            queue = self._faults.get(method)
            fault = queue.popleft() if queue else None
            call = Call(method, params, arrived, fault.kind if fault else None)
            self._calls.append(call)
            self._activity = time.monotonic()
            self._cond.notify_all()
        answer: tuple[int, Any] | None
        if fault is None or call.performed:
            answer = self._answer(token, method, params)
            self.performed(method, params, answer)
        else:
            answer = _fault_answer(fault)
        with self._cond:
            call.status = answer[0] if answer else 0
            call.result = answer[1].get("result") if answer else None
            if method != "getUpdates" or call.result:
                self._activity = time.monotonic()
            if method == "getUpdates" and call.ok and call.result and call.fault is None:
                self._delivered = max(self._delivered, call.result[-1]["update_id"])
            self._cond.notify_all()
        return None if call.fault == "answer_drop" else answer

    def arrived(self) -> float:
        """When the request being handled (in this thread) arrived: now, unless a subclass held
        it back first and knows better."""
        return time.monotonic()

    def performed(self, method: str, params: dict[str, Any], answer: tuple[int, Any]) -> None:
        """Called with each method the fake acted on and its answer, whether or not the answer
        reaches the bot; a subclass may watch here."""

    def _answer(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        api = getattr(self, "_api_" + re.sub(r"(?<!^)(?=[A-Z])", "_", method).lower(), None)
        if api is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        try:
            result = api(params)
        except ApiError as exc:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": exc.code,
                "description": exc.description,
            }
            if exc.parameters:
                body["parameters"] = exc.parameters
            return exc.code, body
        return 200, {"ok": True, "result": result}


def _fault_answer(fault: _Fault) -> tuple[int, Any] | None:
    if fault.kind == "drop":
        return None
    if fault.kind == "429":
        return 429, {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {fault.retry_after}",
            "parameters": {"retry_after": fault.retry_after},
        }
    return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
