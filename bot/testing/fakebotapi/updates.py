"""Builders for the updates Telegram would send, shaped as the Bot API documents them.

Each returns the JSON payload of one update kind (a message, a callback query, an inline query);
`FakeBotApi.push_*` queues it. Entities (commands, mentions) are computed the way Telegram does,
with UTF-16 offsets, so python-telegram-bot's entity parsing sees what it would see live.
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass
from typing import Any

_message_ids = itertools.count(1)
_query_ids = itertools.count(1)


@dataclass(frozen=True)
class Person:
    """A Telegram user talking to the bot."""

    id: int
    first_name: str = "Ana"
    language: str | None = "en"
    last_name: str = "Kovalenko"
    username: str = "ana_k_1987"

    def user(self) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "username": self.username,
        }
        if self.language:
            user["language_code"] = self.language
        return user

    def chat(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "private",
            "first_name": self.first_name,
            "last_name": self.last_name,
            "username": self.username,
        }


@dataclass(frozen=True)
class Group:
    """A group (supergroup) the bot is a member of."""

    id: int = -1001555000111
    title: str = "Family chat"

    def chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "supergroup", "title": self.title}


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def entities(text: str) -> list[dict[str, Any]]:
    """bot_command at the start, mentions and URLs anywhere: what Telegram would mark."""
    found = []
    command = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if command:
        found.append({"type": "bot_command", "offset": 0, "length": _utf16(command.group())})
    for kind, pattern in (("mention", r"(?<!\w)@[A-Za-z0-9_]{5,32}"), ("url", r"https?://\S+")):
        for match in re.finditer(pattern, text):
            if kind == "mention" and command and match.start() < command.end():
                continue
            found.append(
                {
                    "type": kind,
                    "offset": _utf16(text[: match.start()]),
                    "length": _utf16(match.group()),
                }
            )
    return sorted(found, key=lambda entity: entity["offset"])


def text_message(
    sender: Person,
    text: str,
    *,
    group: Group | None = None,
    reply_to: dict[str, Any] | None = None,
    forward_origin: dict[str, Any] | None = None,
    extra_entities: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A text message in a private chat (or in `group`), optionally a reply or a forward."""
    message = _message(sender, group, reply_to, forward_origin)
    message["text"] = text
    marked = entities(text) + (extra_entities or [])
    if marked:
        message["entities"] = marked
    return message


def photo_message(
    sender: Person,
    caption: str = "",
    *,
    group: Group | None = None,
    forward_origin: dict[str, Any] | None = None,
    file_id: str = "AgAD-large",
    file_size: int | None = None,
) -> dict[str, Any]:
    """A photo, with a caption or without (the usual shape of a forwarded rumour). Telegram
    offers it in several sizes; `file_id` is the 1280-pixel one (`FakeBotApi.add_file` gives
    it bytes), and a 2560-pixel one is offered too, which the bot should not fetch."""
    message = _message(sender, group, None, forward_origin)
    large = {"file_id": file_id, "file_unique_id": "l1", "width": 1280, "height": 960}
    if file_size is not None:
        large["file_size"] = file_size
    message["photo"] = [
        {"file_id": "AgAD-small", "file_unique_id": "s1", "width": 90, "height": 68},
        large,
        {"file_id": "AgAD-huge", "file_unique_id": "h1", "width": 2560, "height": 1920},
    ]
    if caption:
        message["caption"] = caption
        marked = entities(caption)
        if marked:
            message["caption_entities"] = marked
    return message


def document_message(
    sender: Person, file_id: str, mime_type: str, file_size: int | None = None
) -> dict[str, Any]:
    """A file sent as a document (a picture sent uncompressed, or anything else)."""
    message = _message(sender, None, None, None)
    document: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"u-{file_id}"}
    document["mime_type"] = mime_type
    if file_size is not None:
        document["file_size"] = file_size
    message["document"] = document
    return message


def channel_origin(
    title: str = "Rumour Mill", channel_id: int = -1009876543210, message_id: int = 4242
) -> dict[str, Any]:
    """`forward_origin` of a message forwarded out of a public channel."""
    return {
        "type": "channel",
        "date": int(time.time()) - 3600,
        "chat": {"id": channel_id, "type": "channel", "title": title, "username": "rumour_mill"},
        "message_id": message_id,
        "author_signature": "Editor X",
    }


def user_origin(origin: Person) -> dict[str, Any]:
    """`forward_origin` of a message forwarded from a person who allows linking."""
    return {"type": "user", "date": int(time.time()) - 60, "sender_user": origin.user()}


def callback_query(sender: Person, data: str | None, message: dict[str, Any]) -> dict[str, Any]:
    """A press of a button on `message` (as returned by `FakeBotApi.message`)."""
    query: dict[str, Any] = {
        "id": f"cbq-{next(_query_ids)}",
        "from": sender.user(),
        "chat_instance": f"ci-{message['chat']['id']}",
        "message": message,
    }
    if data is not None:
        query["data"] = data
    return query


def inline_query(sender: Person, query: str) -> dict[str, Any]:
    """`@bot query` typed in any chat."""
    return {
        "id": f"iq-{next(_query_ids)}",
        "from": sender.user(),
        "query": query,
        "offset": "",
        "chat_type": "sender",
    }


def _message(
    sender: Person,
    group: Group | None,
    reply_to: dict[str, Any] | None,
    forward_origin: dict[str, Any] | None,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": group.chat() if group else sender.chat(),
        "from": sender.user(),
    }
    if reply_to is not None:
        message["reply_to_message"] = reply_to
    if forward_origin is not None:
        message["forward_origin"] = forward_origin
    return message
