"""What in a Telegram message is meant for the bot, and nothing more.

Telegram hands the bot much more than it needs: who a forward came from (`forward_origin`), the
raw user id, names, the group's other chatter. This module keeps only the text addressed to the
bot, so everything after it (engine, database, logs) never sees the rest. In groups the bot
answers only commands for it, mentions of it and replies to it (Telegram's privacy mode delivers
about that much anyway); `/check` in reply to a message checks the replied-to text. Of a
picture only the file to read is taken (see `picture_file`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from telegram import Message, MessageEntity, User
from telegram.constants import ChatType

from bot.engine.events import ChatKind

CHECK_COMMAND = "/check"
PICTURE_SIDE = 1280  # Telegram's largest photo size

_KINDS: dict[str, ChatKind] = {
    ChatType.PRIVATE: ChatKind.PRIVATE,
    ChatType.GROUP: ChatKind.GROUP,
    ChatType.SUPERGROUP: ChatKind.GROUP,
}


def chat_kind(chat_type: str) -> ChatKind | None:
    """Private chats and groups are served; channels and anything newer are not."""
    return _KINDS.get(chat_type)


def content_text(message: Message) -> str:
    """The message's words: its text or caption, plus link targets hidden behind words.

    A forwarded message contributes only its content; who it was forwarded from is dropped.
    """
    text = message.text if message.text is not None else message.caption or ""
    entities = message.entities if message.text is not None else message.caption_entities
    hidden = [
        entity.url
        for entity in entities
        if entity.type == MessageEntity.TEXT_LINK and entity.url and entity.url not in text
    ]
    return "\n".join([text, *dict.fromkeys(hidden)]) if hidden else text


def addressed_text(message: Message, me: User) -> str | None:
    """The text meant for the bot, or None when the message is not addressed to it."""
    kind = chat_kind(message.chat.type)
    text = content_text(message).strip()
    if kind is None or not text:
        return None
    command, rest = _split_command(text)
    if command is not None:
        name, _, target = command.partition("@")
        if target and target.lower() != (me.username or "").lower():
            return None  # a command for another bot in the same group
        if name.lower() == CHECK_COMMAND and not rest:
            replied = _replied_text(message)
            if replied:
                return f"{CHECK_COMMAND} {replied}"
        return f"{name} {rest}".strip()
    if kind is ChatKind.PRIVATE:
        return text
    if _mentions(message, me):
        without = _strip_mention(text, me).strip()
        if without:
            return without
        replied = _replied_text(message)
        return f"{CHECK_COMMAND} {replied}" if replied else None
    if _replies_to(message, me):
        return text
    return None


def _split_command(text: str) -> tuple[str | None, str]:
    if not text.startswith("/"):
        return None, text
    head, _, rest = text.partition(" ")
    if not re.fullmatch(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{1,64})?", head):
        return None, text
    return head, rest.strip()


def _mentions(message: Message, me: User) -> bool:
    if not me.username:
        return False
    wanted = "@" + me.username.lower()
    found = message.parse_entities([MessageEntity.MENTION]) or message.parse_caption_entities(
        [MessageEntity.MENTION]
    )
    return any(mention.lower() == wanted for mention in found.values())


def _strip_mention(text: str, me: User) -> str:
    return re.sub(rf"@{re.escape(me.username or '')}\b", "", text, flags=re.IGNORECASE)


def _replies_to(message: Message, me: User) -> bool:
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == me.id)


def _replied_text(message: Message) -> str:
    replied = message.reply_to_message
    return content_text(replied).strip() if replied is not None else ""


@dataclass(frozen=True)
class PictureFile:
    """The Telegram file of a picture someone sent, and its size when Telegram says it."""

    file_id: str
    size: int | None


def picture_file(message: Message) -> PictureFile | None:
    """The picture in a message: of a photo, the largest size up to PICTURE_SIDE pixels (the
    words in a screenshot need it; more only costs time); an image sent as a file as it is."""
    if message.photo:
        fitting = [p for p in message.photo if max(p.width, p.height) <= PICTURE_SIDE]
        photo = max(fitting, key=lambda p: p.width * p.height) if fitting else message.photo[0]
        return PictureFile(photo.file_id, photo.file_size)
    document = message.document
    if document is not None and (document.mime_type or "").startswith("image/"):
        return PictureFile(document.file_id, document.file_size)
    return None


# What no handler reads of the message whose button was pressed: its keyboard and the
# formatting of its text (the bot's own, sent a moment ago; the press carries its data).
_PRESSED_UNREAD = ("reply_markup", "entities", "caption_entities")


def without_pressed_keyboard(update: dict[str, Any]) -> dict[str, Any]:
    """The update as handlers need it: a button press's message without its keyboard and text
    formatting, the largest part of a press to turn into objects (a keyboard of many buttons,
    each set up attribute by attribute). Other updates are handed back as they are."""
    query = update.get("callback_query")
    if not isinstance(query, dict):
        return update
    message = query.get("message")
    if not isinstance(message, dict) or not any(key in message for key in _PRESSED_UNREAD):
        return update
    kept = {key: value for key, value in message.items() if key not in _PRESSED_UNREAD}
    return {**update, "callback_query": {**query, "message": kept}}
