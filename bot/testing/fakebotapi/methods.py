"""The Bot API methods the fake answers, and the checks a real server would make on them.

State lives in one `_State` under one condition variable (shared with the server, which adds
recording and fault injection on top): the queued updates and their confirmation, the messages
the bot sent (so edits and button presses can refer to them), open callback and inline queries,
the webhook and the command menus. Objects returned carry every field python-telegram-bot 22.8
requires.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from bot.testing.fakebotapi.files import ApiError, FileMethods
from bot.testing.fakebotapi.html_check import (
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    html_problems,
    visible_text,
)

BOT_ID = 123456
BOT_USERNAME = "civic_test_bot"


@dataclass
class _State:
    pending: list[dict[str, Any]] = field(default_factory=list)
    confirmed: int = 0
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    markup: dict[tuple[int, int], Any] = field(default_factory=dict)
    open_callbacks: set[str] = field(default_factory=set)
    open_inline: set[str] = field(default_factory=set)
    commands: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=dict)


class BotApiMethods(FileMethods):
    """`_api_<snake_case>` answers Bot API method <camelCase>; `ApiError` is a refusal."""

    def __init__(self, *, max_poll: float) -> None:
        super().__init__()
        self.max_poll = max_poll
        self.bot_user = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Civic Test",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }
        self._cond = threading.Condition()
        self._state = _State()
        self._message_ids = itertools.count(1_000_000)
        self._closing = False

    def commands(self, language_code: str = "") -> list[dict[str, str]]:
        """The command menu set for one language ("" for the default one)."""
        with self._cond:
            return list(self._state.commands.get(language_code, []))

    def _api_get_me(self, _params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    def _api_log_out(self, _params: dict[str, Any]) -> bool:
        return True

    _api_close = _api_log_out
    _api_send_chat_action = _api_log_out
    _api_delete_message = _api_log_out

    def _api_get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + min(timeout, self.max_poll)
        with self._cond:
            if self._state.webhook.get("url"):
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
            if offset > self._state.confirmed:
                self._state.confirmed = offset
                self._state.pending = [u for u in self._state.pending if u["update_id"] >= offset]
                self._cond.notify_all()
            while not self._state.pending and not self._closing:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return [dict(update) for update in self._state.pending[:limit]]

    def _api_set_webhook(self, params: dict[str, Any]) -> bool:
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        with self._cond:
            self._state.webhook = dict(params)
        return True

    def _api_delete_webhook(self, params: dict[str, Any]) -> bool:
        with self._cond:
            self._state.webhook = {}
            if params.get("drop_pending_updates"):
                self._state.pending.clear()
        return True

    def _api_get_webhook_info(self, _params: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            return {
                "url": self._state.webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": len(self._state.pending),
            }

    def _api_set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands", [])
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        with self._cond:
            self._state.commands[params.get("language_code", "")] = commands
        return True

    def _api_delete_my_commands(self, params: dict[str, Any]) -> bool:
        with self._cond:
            self._state.commands.pop(params.get("language_code", ""), None)
        return True

    def _api_get_my_commands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return self.commands(params.get("language_code", ""))

    def _api_send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        text = _require(params, "text")
        _check_text(text, params.get("parse_mode"), MESSAGE_LIMIT)
        return self._new_message(params, text=text)

    def _api_send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        photo = _require(params, "photo")
        _check_caption(params)
        name = photo if isinstance(photo, str) else photo.get("filename", "upload")
        sizes = [
            {
                "file_id": f"photo-{name}-{size}",
                "file_unique_id": f"u{size}",
                "width": size,
                "height": size,
            }
            for size in (90, 320)
        ]
        return self._new_message(params, photo=sizes, caption=params.get("caption"))

    def _api_send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        document = _require(params, "document")
        _check_caption(params)
        name = document if isinstance(document, str) else document.get("filename", "file")
        file = {"file_id": f"doc-{name}", "file_unique_id": "udoc", "file_name": name}
        return self._new_message(params, document=file, caption=params.get("caption"))

    def _api_edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        text = _require(params, "text")
        _check_text(text, params.get("parse_mode"), MESSAGE_LIMIT)
        key, message = self._editable(params)
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        with self._cond:
            same = message.get("_html") == text and self._state.markup.get(key) == params.get(
                "reply_markup"
            )
            if same:
                raise ApiError(400, "Bad Request: message is not modified")
            return self._store(key, {**message, "text": visible_text(text), "_html": text}, params)

    def _api_edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        key, message = self._editable(params)
        with self._cond:
            if self._state.markup.get(key) == params.get("reply_markup"):
                raise ApiError(400, "Bad Request: message is not modified")
            return self._store(key, message, params)

    def _api_edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        _check_caption(params)
        key, message = self._editable(params)
        with self._cond:
            return self._store(key, {**message, "caption": params.get("caption", "")}, params)

    def _api_answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = _require(params, "callback_query_id")
        if len(params.get("text") or "") > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        with self._cond:
            if query_id not in self._state.open_callbacks:
                raise ApiError(400, "Bad Request: query is too old or query ID is invalid")
            self._state.open_callbacks.discard(query_id)
        return True

    def _api_answer_inline_query(self, params: dict[str, Any]) -> bool:
        query_id = _require(params, "inline_query_id")
        results = params.get("results", [])
        if len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [result.get("id", "") for result in results]
        if len(set(ids)) != len(ids) or any(not 0 < len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        for result in results:
            _check_markup(result.get("reply_markup"))
            content = result.get("input_message_content", {})
            _check_text(content.get("message_text", ""), content.get("parse_mode"), MESSAGE_LIMIT)
        with self._cond:
            if query_id not in self._state.open_inline:
                raise ApiError(400, "Bad Request: query is too old or query ID is invalid")
            self._state.open_inline.discard(query_id)
        return True

    def _new_message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        _check_markup(params.get("reply_markup"))
        chat_id = int(_require(params, "chat_id"))
        with self._cond:
            chat = self._state.chats.get(chat_id)
            if chat is None:
                raise ApiError(400, "Bad Request: chat not found")
            message: dict[str, Any] = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": chat,
                "from": self.bot_user,
            }
            for name, value in content.items():
                if value is not None:
                    message[name] = value
            if "text" in content:
                message["text"], message["_html"] = visible_text(content["text"]), content["text"]
            if "caption" in message:
                message["caption"] = visible_text(message["caption"])
            return self._store((chat_id, message["message_id"]), message, params)

    def _store(
        self, key: tuple[int, int], message: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, Any]:
        markup = params.get("reply_markup")
        self._state.markup[key] = markup
        stored = {k: v for k, v in message.items() if k != "reply_markup"}
        if markup and markup.get("inline_keyboard"):
            stored["reply_markup"] = markup
        self._state.messages[key] = stored
        return {k: v for k, v in stored.items() if not k.startswith("_")}

    def _editable(self, params: dict[str, Any]) -> tuple[tuple[int, int], dict[str, Any]]:
        _check_markup(params.get("reply_markup"))
        key = (int(_require(params, "chat_id")), int(_require(params, "message_id")))
        with self._cond:
            message = self._state.messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return key, message


def _require(params: dict[str, Any], name: str) -> Any:
    if params.get(name) in (None, ""):
        raise ApiError(400, f"Bad Request: {name} is empty")
    return params[name]


def _check_text(text: str, parse_mode: str | None, limit: int) -> None:
    if parse_mode == "HTML":
        problems = html_problems(text, limit)
        if problems:
            raise ApiError(400, f"Bad Request: can't parse entities: {problems[0]}")
    elif len(text) > limit:
        raise ApiError(400, "Bad Request: message is too long")
    elif not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")


def _check_caption(params: dict[str, Any]) -> None:
    caption = params.get("caption")
    if caption is None:
        return
    if params.get("parse_mode") == "HTML":
        problems = html_problems(caption, CAPTION_LIMIT, allow_empty=True)
        if problems:
            raise ApiError(400, f"Bad Request: can't parse caption entities: {problems[0]}")
    elif len(caption) > CAPTION_LIMIT:
        raise ApiError(400, "Bad Request: message caption is too long")


def _check_markup(markup: Any) -> None:
    if markup is None:
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
