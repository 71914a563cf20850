"""How the service reaches people on Telegram: a chat id opened from a sealed address."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.engine.events import Reply
from bot.transports.telegram._render import Where, deliver

log = logging.getLogger(__name__)


class TelegramSender:
    """The `Sender` the service uses on Telegram."""

    def __init__(self, bot: Bot, admins: Sequence[int]) -> None:
        self._bot = bot
        self._admins = tuple(admins)

    async def send(self, address: str, replies: list[Reply]) -> bool:
        if not address.lstrip("-").isdigit():
            log.warning("an outbox address is not a chat id")
            return False
        try:
            await deliver(self._bot, Where(int(address)), replies, pressed=None)
        except (Forbidden, BadRequest) as exc:  # blocked the bot, or the chat is gone
            log.info("an unasked message was refused: %s", type(exc).__name__)
            return False
        except TelegramError as exc:
            log.warning("an unasked message failed: %s", type(exc).__name__)
            return False
        return True

    async def tell_admins(self, text: str) -> None:
        for admin in self._admins:
            try:
                await deliver(self._bot, Where(admin), [Reply(text)], pressed=None)
            except TelegramError as exc:
                log.warning("telling an admin failed: %s", type(exc).__name__)
