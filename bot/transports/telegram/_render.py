"""Engine replies turned into Bot API calls, within Telegram's limits.

The engine speaks in plain `Reply` objects; this module decides only how they look on Telegram:
HTML parse mode, inline keyboards, photos with their text as caption when it fits (else the photo
and then the text), long texts cut into several messages, and lesson navigation edited in place
instead of flooding the chat. Nothing here chooses what to say. A message that may have arrived
although its call failed (`MayHaveArrivedError`) counts as sent: the rest follows, nothing is
sent twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputFile,
    InputTextMessageContent,
    LinkPreviewOptions,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.engine.events import Button, InlineAnswer, Reply
from bot.library.limits import (
    CALLBACK_ANSWER_CHARS,
    CALLBACK_DATA_BYTES,
    CAPTION_CHARS,
    INLINE_RESULTS,
    MESSAGE_CHARS,
)
from bot.transports.drawing import drawn_attachment
from bot.transports.telegram._html import plain_text, split_html, visible_length
from bot.transports.telegram._outgoing import MayHaveArrivedError

log = logging.getLogger(__name__)

INLINE_ID_BYTES = 64
INLINE_TITLE_CHARS = 64
COMMAND_DESCRIPTION_CHARS = 256

# A preview of a linked page would advertise the very site a fact-check debunks.
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_NO_PREVIEW_WIRE = NO_PREVIEW.to_dict()  # its JSON, for `_post`


class RenderError(ValueError):
    """A reply breaks a hard Telegram limit the engine should have respected (a bug upstream)."""


@dataclass(frozen=True)
class Where:
    """Where replies go: the chat, the forum topic, and the message the first reply answers."""

    chat_id: int
    thread_id: int | None = None
    reply_to: int | None = None


@dataclass(frozen=True)
class Pressed:
    """The message whose button was pressed, which a `replace` reply edits in place."""

    message_id: int
    has_text: bool


class _Keyboard(InlineKeyboardMarkup):
    """An inline keyboard that gives python-telegram-bot its wire form, built with it.

    The generic `to_dict` finds every attribute of the keyboard and of each button by
    introspection on every send; most replies carry a keyboard, so that showed on the profile.
    The result is the same dictionary (a test compares the two)."""

    __slots__ = ("_wire",)

    def __init__(self, rows: list[list[InlineKeyboardButton]], wire: list[list[dict[str, str]]]):
        super().__init__(rows)
        self._wire = wire

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:  # noqa: ARG002 - flat already
        return {"inline_keyboard": [[dict(button) for button in row] for row in self._wire]}


class Keyboard:
    """An inline keyboard (labels are plain text) as Telegram receives it.

    Texts and edits send `wire()` as it is (see `_post`); only uploads, which go through
    python-telegram-bot's methods, need its objects, made by `markup()` when asked: building an
    `InlineKeyboardButton` sets each of its attributes through a frozen object's checks."""

    __slots__ = ("_rows",)

    def __init__(self, rows: list[list[dict[str, str]]]) -> None:
        self._rows = rows

    def wire(self) -> dict[str, Any]:
        """The keyboard's JSON (a fresh copy each time)."""
        return {"inline_keyboard": [[dict(button) for button in row] for row in self._rows]}

    def markup(self) -> InlineKeyboardMarkup:
        """The keyboard as python-telegram-bot's object, for its methods."""
        built = [
            [
                InlineKeyboardButton(
                    button["text"], url=button.get("url"), callback_data=button.get("callback_data")
                )
                for button in row
            ]
            for row in self._rows
        ]
        return _Keyboard(built, self._rows)


def keyboard(rows: Sequence[Sequence[Button]]) -> Keyboard | None:
    """An inline keyboard, refusing payloads Telegram would reject."""
    wire = []
    for row in rows:
        wired = []
        for button in row:
            if button.url is not None:  # a link (to the private chat), no callback
                wired.append({"text": button.label, "url": button.url})
                continue
            size = len(button.payload.encode())
            if not 0 < size <= CALLBACK_DATA_BYTES:
                raise RenderError(f"button payload is {size} bytes, allowed 1-64")
            wired.append({"text": button.label, "callback_data": button.payload})
        if wired:
            wire.append(wired)
    return Keyboard(wire) if wire else None


def notice_of(replies: Sequence[Reply]) -> str | None:
    """The callback answer text: the first notice, cut to what Telegram shows."""
    for reply in replies:
        if reply.notice:
            return reply.notice[:CALLBACK_ANSWER_CHARS]
    return None


def inline_results(answers: Sequence[InlineAnswer]) -> list[InlineQueryResultArticle]:
    """Articles for an inline query: at most 50, unique ids, each text one valid message."""
    results: list[InlineQueryResultArticle] = []
    used: set[str] = set()
    for answer in answers:
        result_id = answer.id.encode()[:INLINE_ID_BYTES].decode(errors="ignore")
        pieces = split_html(answer.text, MESSAGE_CHARS)
        if not result_id or result_id in used or not pieces:
            continue
        used.add(result_id)
        content = InputTextMessageContent(
            pieces[0], parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        )
        results.append(
            InlineQueryResultArticle(
                id=result_id,
                title=answer.title.strip() or plain_text(pieces[0])[:INLINE_TITLE_CHARS],
                input_message_content=content,
                description=answer.description or None,
            )
        )
        if len(results) == INLINE_RESULTS:
            break
    return results


async def deliver(
    bot: Bot, where: Where, replies: Sequence[Reply], pressed: Pressed | None
) -> None:
    """Send the replies in order; the first `replace` reply edits the pressed message if it can."""
    for reply in replies:
        if reply.replace and pressed is not None and await _edit(bot, where, pressed, reply):
            pressed = None
            continue
        if await _send(bot, where, reply):
            where = replace(where, reply_to=None)


async def _edit(bot: Bot, where: Where, pressed: Pressed, reply: Reply) -> bool:
    pieces = split_html(reply.text, MESSAGE_CHARS)
    if _files(reply) or len(pieces) != 1 or not pressed.has_text:
        return False
    # What `bot.edit_message_text` sends, in its order (see `_post`).
    data: dict[str, object] = {
        "text": pieces[0],
        "chat_id": where.chat_id,
        "message_id": pressed.message_id,
        "link_preview_options": dict(_NO_PREVIEW_WIRE),
        "parse_mode": ParseMode.HTML.value,
        "reply_markup": _wire(keyboard(reply.buttons)),
    }
    try:
        await _post(bot, "editMessageText", data)
    except MayHaveArrivedError:
        return True  # sending the text anew could show it twice
    except BadRequest as exc:
        # Pressing the same button twice asks for the text already shown: that is a success.
        # Other refusals (message too old, deleted) fall back to a new message.
        return "not modified" in exc.message.lower()
    return True


async def _send(bot: Bot, where: Where, reply: Reply) -> bool:
    """Send one reply; False when there was nothing to send (a notice-only reply)."""
    markup = keyboard(reply.buttons)
    text = reply.text.strip()
    files = _files(reply)
    if not files:
        return await _send_text(bot, where, text, markup)
    fits = visible_length(text) <= CAPTION_CHARS
    caption = text if fits and text else None
    file_markup = markup.markup() if fits and markup is not None else None
    for as_photo, file in files:
        send = bot.send_photo if as_photo else bot.send_document
        with suppress(MayHaveArrivedError):
            await send(
                where.chat_id,
                file,
                caption=caption,
                parse_mode=ParseMode.HTML,
                reply_markup=file_markup,
                message_thread_id=where.thread_id,
                reply_parameters=(
                    ReplyParameters(where.reply_to, allow_sending_without_reply=True)
                    if where.reply_to is not None
                    else None
                ),
            )
        where, caption, file_markup = replace(where, reply_to=None), None, None
    if not fits:
        await _send_text(bot, where, text, markup)
    return True


def _files(reply: Reply) -> list[tuple[bool, str | Path | InputFile]]:
    """(as a photo?, what to upload) for each picture or file the reply carries."""
    files: list[tuple[bool, str | Path | InputFile]] = []
    if reply.image:
        files.append((True, reply.image if _is_url(reply.image) else Path(reply.image)))
    if reply.attachment is not None:
        made = drawn_attachment(reply.attachment)  # drawn by the handlers; here only if not
        files.append((made.photo, InputFile(made.data, filename=made.filename)))
    return files


async def _send_text(bot: Bot, where: Where, text: str, markup: Keyboard | None) -> bool:
    pieces = split_html(text, MESSAGE_CHARS)
    if not pieces:
        if markup is not None:
            log.warning("a reply with buttons but no text was not sent")
        return False
    for number, piece in enumerate(pieces, start=1):
        # What `bot.send_message` sends, in its order (see `_post`).
        data: dict[str, object] = {
            "chat_id": where.chat_id,
            "text": piece,
            "link_preview_options": dict(_NO_PREVIEW_WIRE),
            "message_thread_id": where.thread_id,
            "parse_mode": ParseMode.HTML.value,
            "reply_markup": _wire(markup) if number == len(pieces) else None,
            "reply_parameters": _reply_parameters(where) if number == 1 else None,
        }
        with suppress(MayHaveArrivedError):
            await _post(bot, "sendMessage", data)
    return True


async def _post(bot: Bot, endpoint: str, data: dict[str, object]) -> None:
    """Call `endpoint` as the `Bot` method for it would, without turning the answer into objects.

    `send_message` and `edit_message_text` build a `Message` from Telegram's answer, with its
    whole inline keyboard, object by object; for a lesson card or a quiz question that costs
    about as much as reading the update it answers, and nothing here uses it (messages are edited
    by the id of the message whose button was pressed, which comes with the press).
    `Bot._post` is where those methods end: it leaves out unset (None) parameters, fills in the
    bot's defaults and hands the call to the rate limiter, so the call goes through the
    `OutgoingLimiter` (the send limit, 429s, at-most-once retries, `MayHaveArrivedError`) and the
    request as before, and a refusal raises the same `BadRequest`, `Forbidden`, ... `data` holds
    exactly what the method would have sent (tests compare the two); only the answer stays JSON.
    Calls whose answer is used (polls: `_classroom`) and uploads keep the methods.
    """
    await bot._post(endpoint, data)


def _wire(markup: Keyboard | None) -> dict[str, Any] | None:
    return markup.wire() if markup is not None else None


def _reply_parameters(where: Where) -> dict[str, Any] | None:
    """`ReplyParameters(reply_to, allow_sending_without_reply=True)` as JSON."""
    if where.reply_to is None:
        return None
    return {"allow_sending_without_reply": True, "message_id": where.reply_to}


def _is_url(location: str) -> bool:
    return location.startswith(("https://", "http://"))
