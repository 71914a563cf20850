"""Class quizzes on Telegram: who may start one, quiz polls out, poll updates in.

`/quiz` in a group is the one command whose sender's rank matters: the transport asks Telegram
(getChatMember) whether they administer the group and hands the engine only the answer, with the
group's pseudonym and sealed address. Poll updates carry counts only; a vote (from a poll that is
not anonymous) carries the voter, whose id becomes a pseudonym here and whose first name goes no
further than the engine's memory. Nothing else of the update survives this module.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Literal, cast

from telegram import Bot, ChatMember, Message, Update
from telegram.constants import PollType
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.engine.classroom import ClassEvents, PollState, PollVote
from bot.engine.classroom_steps import PollSpec
from bot.engine.events import Incoming
from bot.service.classroom import PostedPoll
from bot.storage.keys import AddressBox, user_key
from bot.transports.telegram._sender import TelegramSender

log = logging.getLogger(__name__)

CLASS_COMMAND = "/quiz"
GROUP_PLATFORM = "telegram-group"
TEACHERS = frozenset({ChatMember.ADMINISTRATOR, ChatMember.OWNER})


def is_class_command(text: str) -> bool:
    return text.split(maxsplit=1)[0].lower() == CLASS_COMMAND if text else False


async def with_group(
    incoming: Incoming, bot: Bot, message: Message, secret_key: bytes, box: AddressBox | None
) -> Incoming:
    """The class command's Incoming, with the group's pseudonym and sealed address and whether
    the sender administers the group."""
    chat_id = message.chat_id
    return replace(
        incoming,
        group=user_key(secret_key, GROUP_PLATFORM, chat_id),
        address=box.seal(str(chat_id)) if box is not None else None,
        chat_admin=await is_chat_admin(bot, message),
    )


async def is_chat_admin(bot: Bot, message: Message) -> bool:
    """Whether the sender administers the group (its owner or an administrator)."""
    if message.from_user is None:
        return False
    try:
        member = await bot.get_chat_member(message.chat_id, message.from_user.id)
    except TelegramError as exc:  # cannot tell: treat as a member, who may not start a quiz
        log.warning("looking up a group member failed: %s", type(exc).__name__)
        return False
    return member.status in TEACHERS


def poll_state(update: Update) -> PollState | None:
    poll = update.poll
    if poll is None:
        return None
    counts = tuple(option.voter_count for option in poll.options)
    return PollState(poll.id, counts, poll.is_closed, f"tg:{update.update_id}")


def poll_vote(update: Update, secret_key: bytes) -> PollVote | None:
    """A vote, its voter pseudonymised. A vote cast in the name of a chat counts for nobody."""
    answer = update.poll_answer
    if answer is None or answer.user is None:
        return None
    user = user_key(secret_key, "telegram", answer.user.id)
    name = answer.user.first_name
    return PollVote(answer.poll_id, user, name, tuple(answer.option_ids), f"tg:{update.update_id}")


def class_events(engine: object) -> ClassEvents | None:
    events = getattr(engine, "classroom", None)
    return events if isinstance(events, ClassEvents) else None


class ClassroomSender(TelegramSender):
    """The service's sender, able to post and close quiz polls too."""

    async def send_poll(self, address: str, poll: PollSpec) -> PostedPoll | None:
        try:
            message = await self._bot.send_poll(
                int(address),
                poll.question,
                list(poll.options),
                is_anonymous=poll.anonymous,
                type=PollType.QUIZ,
                correct_option_ids=_option_ids(poll.correct),
                explanation=poll.explanation or None,
                open_period=poll.seconds,
            )
        except (Forbidden, BadRequest) as exc:  # removed from the group, or the group is gone
            log.info("a class quiz poll was refused: %s", type(exc).__name__)
            return None
        if message.poll is None:
            return None
        return PostedPoll(message.poll.id, message.message_id)

    async def stop_poll(self, address: str, message_id: int) -> tuple[int, ...] | None:
        try:
            poll = await self._bot.stop_poll(int(address), message_id)
        except BadRequest:  # closed already (its time ran out) or deleted: counts came before
            return None
        except Forbidden:
            return None
        return tuple(option.voter_count for option in poll.options)


OptionIndex = Literal[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]


def _option_ids(correct: int) -> list[OptionIndex]:
    """The right option as the Bot API types it (the engine keeps polls within 10 options)."""
    if not 0 <= correct <= 11:
        raise ValueError("a poll option index is out of range")
    return [cast(OptionIndex, correct)]
