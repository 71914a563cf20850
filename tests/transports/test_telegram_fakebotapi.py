"""The fake Bot API itself: python-telegram-bot 22.8 accepts every object it returns, it keeps
Telegram's update semantics (offset confirms, long polls wait), refuses what Telegram refuses,
and injects faults as asked. The HTML checker agrees with Telegram's documented rules."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode, PollType
from telegram.error import BadRequest, InvalidToken

from bot.testing.fakebotapi import (
    TOKEN,
    FakeBotApi,
    Person,
    html_problems,
    photo_message,
    text_message,
)
from bot.testing.fakebotapi.html_check import CAPTION_LIMIT

ANA = Person(8080)


def _call(fake: FakeBotApi, method: str, token: str = TOKEN, **params: Any) -> httpx.Response:
    return httpx.post(f"{fake.base_url}{token}/{method}", json=params, timeout=10)


def test_python_telegram_bot_accepts_every_result() -> None:
    with FakeBotApi() as fake:  # not the fixture: this test sends invalid HTML on purpose
        _accepts_every_result(fake)


def _accepts_every_result(fake_api: FakeBotApi) -> None:
    fake_api.push_message(text_message(ANA, "hello"))

    async def scenario() -> None:
        bot = Bot(TOKEN, base_url=fake_api.base_url, base_file_url=fake_api.base_file_url)
        async with bot:
            assert bot.username == "civic_test_bot"
            [update] = await bot.get_updates()
            assert update.message is not None and update.message.text == "hello"
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
            sent = await bot.send_message(
                ANA.id, "<b>Hi</b>", parse_mode=ParseMode.HTML, reply_markup=markup
            )
            edited = await bot.edit_message_text(
                "<i>Bye</i>", ANA.id, sent.message_id, parse_mode=ParseMode.HTML
            )
            assert isinstance(edited, type(sent)) and edited.text == "Bye"
            photo = await bot.send_photo(
                ANA.id, InputFile(b"\x89PNG", filename="p.png"), caption="c"
            )
            assert photo.photo and photo.caption == "c"
            document = await bot.send_document(ANA.id, b"{}", filename="export.json")
            assert document.document is not None and document.document.file_name == "export.json"
            poll = await bot.send_poll(
                ANA.id, "Q?", ["a", "b"], type=PollType.QUIZ, correct_option_ids=[1]
            )
            assert poll.poll is not None and poll.poll.options[1].persistent_id == "1"
            await bot.set_my_commands([BotCommand("start", "Start")], language_code="en")
            assert [c.command for c in await bot.get_my_commands(language_code="en")] == ["start"]
            assert await bot.set_webhook("https://example.org/hook", secret_token="abc")
            assert (await bot.get_webhook_info()).url == "https://example.org/hook"
            assert await bot.delete_webhook()
            with pytest.raises(BadRequest, match="not modified"):
                await bot.edit_message_text(
                    "<i>Bye</i>", ANA.id, sent.message_id, parse_mode=ParseMode.HTML
                )
            with pytest.raises(BadRequest, match="parse entities"):
                await bot.send_message(ANA.id, "<b>unclosed", parse_mode=ParseMode.HTML)
        with pytest.raises(InvalidToken):
            await Bot("1:wrong", base_url=fake_api.base_url).get_me()

    asyncio.run(scenario())


def test_updates_are_confirmed_by_offset_and_long_polls_wait(fake_api: FakeBotApi) -> None:
    first = fake_api.push_message(text_message(ANA, "one"))
    second = fake_api.push_message(text_message(ANA, "two"))
    ids = [u["update_id"] for u in _call(fake_api, "getUpdates").json()["result"]]
    assert ids == [first, second]
    ids = [u["update_id"] for u in _call(fake_api, "getUpdates", offset=second).json()["result"]]
    assert ids == [second]
    assert fake_api.confirmed_offset == second
    started = time.monotonic()
    assert _call(fake_api, "getUpdates", offset=second + 1, timeout=0.5).json()["result"] == []
    assert time.monotonic() - started >= 0.5


def test_refusals_and_injected_faults(fake_api: FakeBotApi) -> None:
    assert _call(fake_api, "getMe", token="1:wrong").status_code == 401
    assert _call(fake_api, "noSuchMethod").status_code == 404
    assert (
        _call(fake_api, "sendMessage", chat_id=ANA.id, text="x")
        .json()["description"]
        .endswith("chat not found")
    )
    fake_api.add_chat(ANA.chat())
    markup = {"inline_keyboard": [[{"text": "b", "callback_data": "x" * 65}]]}
    refused = _call(fake_api, "sendMessage", chat_id=ANA.id, text="x", reply_markup=markup)
    assert refused.json()["description"] == "Bad Request: BUTTON_DATA_INVALID"

    fake_api.fail("getMe", "429", retry_after=7)
    fake_api.fail("getMe", "500")
    fake_api.fail("getMe", "drop")
    limited = _call(fake_api, "getMe")
    assert limited.status_code == 429 and limited.json()["parameters"] == {"retry_after": 7}
    assert _call(fake_api, "getMe").status_code == 500
    with pytest.raises(httpx.RemoteProtocolError):
        _call(fake_api, "getMe")
    assert _call(fake_api, "getMe").status_code == 200

    _call(fake_api, "setWebhook", url="https://example.org/hook")
    assert _call(fake_api, "getUpdates").status_code == 409


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "<b>bold</b> <strong>s</strong> <i>i</i> <u>u</u> <s>s</s> <tg-spoiler>x</tg-spoiler>",
        '<a href="https://e.org/?a=1&amp;b=2">link</a> &lt;&gt;&amp;&quot; &#128512; &#x1F600;',
        '<pre><code class="language-python">x = 1</code></pre>',
        "<blockquote expandable>quoted <b>bold</b></blockquote>",
        '<span class="tg-spoiler">hidden</span>',
    ],
)
def test_html_checker_accepts_telegram_html(text: str) -> None:
    assert html_problems(text) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<b>open", "unclosed"),
        ("<b><i>x</b></i>", "closes"),
        ("<div>x</div>", "not supported"),
        ("a < b", "unescaped '<'"),
        ("a > b", "unescaped '>'"),
        ("fish & chips", "'&'"),
        ("&nbsp;", "'&'"),
        ("<a>x</a>", "without href"),
        ('<b class="x">x</b>', "does not take"),
        ("<code><b>x</b></code>", "inside <code>"),
        ("<blockquote><blockquote>x</blockquote></blockquote>", "nested"),
        ("   ", "no visible text"),
        ("x" * 4097, "over 4096"),
        ("😀" * 2049, "over 4096"),
    ],
)
def test_html_checker_refuses_what_telegram_refuses(text: str, problem: str) -> None:
    problems = html_problems(text)
    assert any(problem in found for found in problems), problems


def test_caption_limit() -> None:
    assert html_problems("x" * CAPTION_LIMIT, CAPTION_LIMIT) == []
    assert html_problems("x" * (CAPTION_LIMIT + 1), CAPTION_LIMIT)


def test_photos_and_files_are_fetched_like_telegrams(fake_api: FakeBotApi) -> None:
    fake_api.add_file("shot", b"\xff\xd8 a picture")
    fake_api.add_file("huge", b"\0" * (20 * 1024 * 1024 + 1))
    fake_api.push_message(photo_message(ANA, file_id="shot"))

    async def scenario() -> None:
        bot = Bot(TOKEN, base_url=fake_api.base_url, base_file_url=fake_api.base_file_url)
        async with bot:
            [update] = await bot.get_updates()
            assert update.message is not None
            sizes = [(p.file_id, p.width) for p in update.message.photo]
            assert sizes == [("AgAD-small", 90), ("shot", 1280), ("AgAD-huge", 2560)]
            file = await bot.get_file("shot")
            assert file.file_size == len(b"\xff\xd8 a picture")
            assert bytes(await file.download_as_bytearray()) == b"\xff\xd8 a picture"
            with pytest.raises(BadRequest, match="too big"):
                await bot.get_file("huge")
            with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
                await bot.get_file("nobody-sent-this")

    asyncio.run(scenario())
    response = httpx.get(f"{fake_api.url}/file/bot{TOKEN}/photos/nothing.jpg", timeout=10)
    assert response.status_code == 404
