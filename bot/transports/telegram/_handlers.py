"""The three things a Telegram user can do to the bot, each turned into one engine call.

A message, a button press and an inline query each become a plain `Incoming` (or an inline
search) keyed by the user's pseudonym; the engine's answer is rendered back. The raw Telegram id
is used only to compute that pseudonym and to address the reply, and is gone when the update is.
Inline queries are answered within a per-person limit (see `_flow`).
The engine blocks on the database, so it runs in the engine's threads, never on the event loop.
A picture is fetched into memory and read in the drawing helper process before the engine sees
what it says.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from telegram import Bot, CallbackQuery, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.config import InlineSettings
from bot.engine.events import ChatKind, Incoming, InlineAnswer, PictureProblem, Reply, SeenPicture
from bot.service.threads import ENGINE_THREADS, EngineThreads
from bot.storage.keys import AddressBox, user_key
from bot.transports.drawing.helper import Drawer
from bot.transports.telegram._classroom import (
    class_events,
    is_class_command,
    poll_state,
    poll_vote,
    with_group,
)
from bot.transports.telegram._flow import PersonRate
from bot.transports.telegram._incoming import (
    PictureFile,
    addressed_text,
    chat_kind,
    picture_file,
)
from bot.transports.telegram._render import Pressed, Where, deliver, inline_results, notice_of

log = logging.getLogger(__name__)

PLATFORM = "telegram"
CONCURRENCY = ENGINE_THREADS  # updates handled at once
INLINE_CACHE_SECONDS = 60
DOWNLOAD_BYTES = 10_000_000  # a larger picture is not fetched (a 1280-pixel photo is far smaller)


class Engine(Protocol):
    """What the transport needs from the engine. Calls may come from several threads at once,
    but never two at a time for the same chat."""

    def handle(self, incoming: Incoming) -> list[Reply]: ...

    def inline(self, text: str, language: str | None) -> list[InlineAnswer]: ...

    def command_menu(self, language: str) -> list[tuple[str, str]]: ...

    @property
    def languages(self) -> list[str]: ...

    @property
    def one_at_a_time(self) -> bool:
        """True when the engine's database takes one event at a time (SQLite)."""
        ...


class Handlers:
    """Update callbacks for the python-telegram-bot `Application`."""

    def __init__(
        self,
        engine: Engine,
        secret_key: bytes,
        box: AddressBox | None = None,
        threads: EngineThreads | None = None,
        drawer: Drawer | None = None,
        inline_rate: PersonRate | None = None,
    ) -> None:
        self._engine = engine
        self._secret_key = secret_key
        self._box = box
        self.threads = threads or engine_threads(engine)
        self.drawer = drawer or Drawer()
        defaults = InlineSettings()
        self._inline_rate = inline_rate or PersonRate(defaults.burst, defaults.per_second)

    async def _handle(self, incoming: Incoming) -> list[Reply]:
        """The engine's replies, their pictures drawn."""
        replies = await self.threads.call(self._engine.handle, incoming)
        return await self.drawer.replies(replies)

    def _pseudonym(self, telegram_id: int) -> str:
        return user_key(self._secret_key, PLATFORM, telegram_id)

    def _address(self, chat_id: int, kind: ChatKind) -> str | None:
        """The sealed chat address, offered to the engine only for private chats; the engine
        stores it only when the person opts in to messages."""
        if self._box is None or kind is not ChatKind.PRIVATE:
            return None
        return self._box.seal(str(chat_id))

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        sender = message.from_user if message else None
        if message is None or sender is None or sender.is_bot:
            return
        text = addressed_text(message, context.bot.bot)
        kind = chat_kind(message.chat.type)
        sent = picture_file(message)
        if text is None and sent is not None and kind is ChatKind.PRIVATE:
            text = ""  # a picture without a caption, sent to the bot itself
        if text is None or kind is None:
            return
        incoming = Incoming(
            user=self._pseudonym(sender.id),
            text=text,
            language=sender.language_code,
            chat=kind,
            event_id=f"tg:{update.update_id}",
            address=self._address(message.chat_id, kind),
            bot_name=context.bot.username,
            forwarded=message.forward_origin is not None,
            picture=await self._read(context.bot, sent) if sent is not None else None,
        )
        if kind is ChatKind.GROUP and is_class_command(text):
            incoming = await with_group(incoming, context.bot, message, self._secret_key, self._box)
        replies = await self._handle(incoming)
        where = Where(
            message.chat_id,
            thread_id=_thread(message),
            reply_to=message.message_id if kind is ChatKind.GROUP else None,
        )
        await deliver(context.bot, where, replies, pressed=None)

    async def _read(self, bot: Bot, sent: PictureFile) -> SeenPicture:
        """What a picture says, fetched into memory (never to a file) under the size limit."""
        if sent.size is not None and sent.size > DOWNLOAD_BYTES:
            return SeenPicture(problem=PictureProblem.TOO_BIG)
        try:
            file = await bot.get_file(sent.file_id)
            if file.file_size is not None and file.file_size > DOWNLOAD_BYTES:
                return SeenPicture(problem=PictureProblem.TOO_BIG)
            data = await file.download_as_bytearray()
        except TelegramError as exc:  # Telegram's "file is too big" included
            log.warning("a picture could not be fetched: %s", type(exc).__name__)
            big = "too big" in str(exc).lower()
            return SeenPicture(problem=PictureProblem.TOO_BIG if big else PictureProblem.BROKEN)
        if len(data) > DOWNLOAD_BYTES:
            return SeenPicture(problem=PictureProblem.TOO_BIG)
        return await self.drawer.read(bytes(data))

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        message = query.message
        kind = chat_kind(message.chat.type) if message is not None else None
        if message is None or kind is None or not query.data:
            await _answer(query, None)
            return
        incoming = Incoming(
            user=self._pseudonym(query.from_user.id),
            payload=query.data,
            language=query.from_user.language_code,
            chat=kind,
            event_id=f"tg:{update.update_id}",
            address=self._address(message.chat.id, kind),
            bot_name=context.bot.username,
        )
        try:
            replies = await self._handle(incoming)
        except Exception:
            await _answer(query, None)  # stop the button's spinner even when the engine fails
            raise
        await _answer(query, notice_of(replies))
        pressed, thread = None, None
        if isinstance(message, Message):  # not too old to edit or to know its topic
            pressed = Pressed(message.message_id, has_text=message.text is not None)
            thread = _thread(message)
        await deliver(context.bot, Where(message.chat.id, thread_id=thread), replies, pressed)

    async def on_inline(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.inline_query
        if query is None or not self._inline_rate.take(self._pseudonym(query.from_user.id)):
            return  # over the person's inline limit: no search, no answer
        # No database work: not queued behind the engine's threads.
        answers = await asyncio.to_thread(
            self._engine.inline, query.query, query.from_user.language_code
        )
        await query.answer(
            inline_results(answers), cache_time=INLINE_CACHE_SECONDS, is_personal=True
        )

    async def on_poll(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """A class quiz poll's new counts."""
        events, state = class_events(self._engine), poll_state(update)
        if events is not None and state is not None:
            await self.threads.call(events.poll_state, state)

    async def on_poll_answer(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """One vote in a class quiz poll that is not anonymous (a leaderboard was asked for)."""
        events, vote = class_events(self._engine), poll_vote(update, self._secret_key)
        if events is not None and vote is not None:
            await self.threads.call(events.poll_vote, vote)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log what failed without anything the update or the error message might contain."""
        log.error("handling a %s failed: %s", update_kind(update), type(context.error).__name__)


def engine_threads(engine: Engine, concurrency: int = CONCURRENCY) -> EngineThreads:
    """One thread for an engine that takes one event at a time, else one per concurrent update."""
    return EngineThreads(1 if engine.one_at_a_time else concurrency)


def update_kind(update: object) -> str:
    """A word naming the update's kind, safe to log."""
    if not isinstance(update, Update):
        return "no update"
    for kind in (
        Update.MESSAGE,
        Update.CALLBACK_QUERY,
        Update.INLINE_QUERY,
        Update.POLL,
        Update.POLL_ANSWER,
    ):
        if getattr(update, kind, None) is not None:
            return str(kind)
    return "other update"


def _thread(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


async def _answer(query: CallbackQuery, text: str | None) -> None:
    try:
        await query.answer(text=text)
    except TelegramError as exc:  # an old or already answered query: nothing more to do
        log.warning("answering a button press failed: %s", type(exc).__name__)
