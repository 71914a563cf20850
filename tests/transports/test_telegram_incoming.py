"""What counts as addressed to the bot, checked on real python-telegram-bot `Message` objects
built from the same update payloads the fake Bot API serves."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Message, User

from bot.engine.events import ChatKind
from bot.testing.fakebotapi import (
    BOT_ID,
    BOT_USERNAME,
    Group,
    Person,
    channel_origin,
    photo_message,
    text_message,
)
from bot.transports.telegram._incoming import (
    addressed_text,
    chat_kind,
    content_text,
    without_pressed_keyboard,
)

ME = User(BOT_ID, "Civic Test", is_bot=True, username=BOT_USERNAME)
ANA = Person(77)
FAMILY = Group()
BOT_MESSAGE: dict[str, Any] = {
    "message_id": 5,
    "date": 0,
    "chat": FAMILY.chat(),
    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Civic Test", "username": BOT_USERNAME},
    "text": "A fact-check",
}


def _addressed(payload: dict[str, Any]) -> str | None:
    return addressed_text(Message.de_json(payload, None), ME)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a claim", "a claim"),
        ("/start", "/start"),
        (f"/start@{BOT_USERNAME}", "/start"),
        (f"/check@{BOT_USERNAME.upper()} some claim", "/check some claim"),
        ("/start@other_bot", None),
        ("   ", None),
        ("/not a command/", "/not a command/"),
    ],
)
def test_private_chat(text: str, expected: str | None) -> None:
    assert _addressed(text_message(ANA, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("just chatting", None),
        (f"@{BOT_USERNAME} is this true?", "is this true?"),
        (f"is this true, @{BOT_USERNAME}?", "is this true, ?"),
        (f"@{BOT_USERNAME}_fan club", None),
        ("/help", "/help"),
        (f"/help@{BOT_USERNAME}", "/help"),
        ("/help@other_bot", None),
        ("email me at someone@example.org", None),
    ],
)
def test_group_answers_commands_and_mentions_only(text: str, expected: str | None) -> None:
    assert _addressed(text_message(ANA, text, group=FAMILY)) == expected


def test_group_replies_to_the_bot_are_addressed_and_others_not() -> None:
    assert _addressed(text_message(ANA, "why?", group=FAMILY, reply_to=BOT_MESSAGE)) == "why?"
    other = text_message(Person(78), "a rumour", group=FAMILY)
    assert _addressed(text_message(ANA, "lol", group=FAMILY, reply_to=other)) is None


def test_check_in_reply_checks_the_replied_message() -> None:
    rumour = photo_message(Person(78), "Photo proves the moon landing was staged", group=FAMILY)
    check = text_message(ANA, "/check", group=FAMILY, reply_to=rumour)
    assert _addressed(check) == "/check Photo proves the moon landing was staged"
    mention = text_message(ANA, f"@{BOT_USERNAME}", group=FAMILY, reply_to=rumour)
    assert _addressed(mention) == "/check Photo proves the moon landing was staged"
    explicit = text_message(ANA, "/check my own words", group=FAMILY, reply_to=rumour)
    assert _addressed(explicit) == "/check my own words"
    assert _addressed(text_message(ANA, f"@{BOT_USERNAME}", group=FAMILY)) is None


def test_forward_origin_contributes_nothing() -> None:
    forwarded = text_message(ANA, "Breaking news", forward_origin=channel_origin("Rumour Mill"))
    message = Message.de_json(forwarded, None)
    assert message.forward_origin is not None
    assert content_text(message) == "Breaking news"


def test_hidden_link_targets_are_part_of_the_text() -> None:
    link = {"type": "text_link", "offset": 0, "length": 4, "url": "https://rumours.example/x"}
    payload = text_message(ANA, "this story", extra_entities=[link])
    assert _addressed(payload) == "this story\nhttps://rumours.example/x"


def test_chat_kinds() -> None:
    assert chat_kind("private") is ChatKind.PRIVATE
    assert chat_kind("group") is chat_kind("supergroup") is ChatKind.GROUP
    assert chat_kind("channel") is None
    channel_post = text_message(ANA, "/start")
    channel_post["chat"] = {"id": -100, "type": "channel", "title": "c"}
    assert _addressed(channel_post) is None


def test_a_press_is_parsed_without_the_pressed_messages_keyboard_and_formatting() -> None:
    message = {
        "message_id": 7,
        "date": 1,
        "chat": {"id": 5, "type": "private"},
        "text": "Card 1",
        "entities": [{"type": "bold", "offset": 0, "length": 4}],
        "reply_markup": {"inline_keyboard": [[{"text": "Next", "callback_data": "next:1"}]]},
    }
    update = {"update_id": 3, "callback_query": {"id": "q", "data": "next:1", "message": message}}
    trimmed = without_pressed_keyboard(update)
    assert trimmed["callback_query"]["message"] == {
        "message_id": 7,
        "date": 1,
        "chat": {"id": 5, "type": "private"},
        "text": "Card 1",
    }
    assert {**trimmed["callback_query"], "message": message} == update["callback_query"]
    assert "reply_markup" in message  # the update given is left as it was
    plain = {"update_id": 4, "message": message}
    assert without_pressed_keyboard(plain) is plain
