"""A fake Telegram Bot API on loopback, update builders and a Telegram HTML checker, so the real
python-telegram-bot stack can be tested end to end without the internet."""

from bot.testing.fakebotapi.html_check import assert_valid_html, html_problems, visible_text
from bot.testing.fakebotapi.server import BOT_ID, BOT_USERNAME, TOKEN, Call, FakeBotApi
from bot.testing.fakebotapi.updates import (
    Group,
    Person,
    callback_query,
    channel_origin,
    document_message,
    inline_query,
    photo_message,
    text_message,
    user_origin,
)
from bot.testing.fakebotapi.wire import decode_body

__all__ = [
    "BOT_ID",
    "BOT_USERNAME",
    "TOKEN",
    "Call",
    "FakeBotApi",
    "Group",
    "Person",
    "assert_valid_html",
    "callback_query",
    "channel_origin",
    "decode_body",
    "document_message",
    "html_problems",
    "inline_query",
    "photo_message",
    "text_message",
    "user_origin",
    "visible_text",
]
