"""How replies look on Telegram, over HTTP: long texts in several valid messages, pictures with
captions or followed by text, files uploaded, lessons edited in place, every press answered."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputTextMessageContent,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.engine.events import Button, InlineAnswer, Reply
from bot.testing.fakebotapi import TOKEN, FakeBotApi, Person, callback_query, text_message
from bot.testing.fakebotapi.html_check import html_problems
from bot.testing.harness import RunningBot
from bot.transports.telegram._http import AiohttpRequest
from bot.transports.telegram._outgoing import OutgoingLimiter
from bot.transports.telegram._render import (
    NO_PREVIEW,
    Pressed,
    RenderError,
    Where,
    deliver,
    inline_results,
    keyboard,
)
from tests.transports.fake_engine import PICTURE_URL, PNG, FakeEngine

ANA = Person(4711)


def _say(fake: FakeBotApi, text: str) -> None:
    fake.push_message(text_message(ANA, text))
    fake.wait_idle(quiet=0.2)


def test_a_long_text_becomes_several_messages_with_the_buttons_on_the_last(
    fake_api: FakeBotApi, fake_engine: FakeEngine
) -> None:
    with RunningBot(fake_api, fake_engine):
        _say(fake_api, "/long")
    sent = fake_api.calls("sendMessage")
    assert len(sent) >= 2
    assert all(not html_problems(call.params["text"]) for call in sent)
    assert [("reply_markup" in call.params) for call in sent] == [False] * (len(sent) - 1) + [True]
    assert all(call.params["text"].endswith("</i>.") for call in sent)  # cut at paragraphs


def test_pictures_take_short_text_as_caption_and_long_text_after(
    fake_api: FakeBotApi, fake_engine: FakeEngine
) -> None:
    with RunningBot(fake_api, fake_engine):
        _say(fake_api, "/photo")
        _say(fake_api, "/bigphoto")
    short, big = fake_api.calls("sendPhoto")
    assert short.params["photo"] == PICTURE_URL
    assert short.params["caption"] == "A <i>picture</i>."
    assert short.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "menu"
    assert "caption" not in big.params
    [after] = fake_api.calls("sendMessage")
    assert after.at > big.at and "<b>bold</b>" in after.params["text"]


def test_made_files_are_uploaded(fake_api: FakeBotApi, fake_engine: FakeEngine) -> None:
    with RunningBot(fake_api, fake_engine):
        _say(fake_api, "/chart")
        _say(fake_api, "/export")
    [chart] = fake_api.calls("sendPhoto")
    assert chart.params["photo"] == {"filename": "progress.png", "size": len(PNG) + 8}
    assert chart.params["caption"] == "Your <b>progress</b>."
    assert "reply_markup" in chart.params
    [export] = fake_api.calls("sendDocument")
    assert export.params["document"]["filename"] == "export.json"
    assert "caption" not in export.params
    assert not fake_api.calls("sendMessage")


def test_replies_keep_their_order(fake_api: FakeBotApi, fake_engine: FakeEngine) -> None:
    with RunningBot(fake_api, fake_engine):
        _say(fake_api, "/two")
    assert [call.params["text"] for call in fake_api.calls("sendMessage")] == ["First.", "Second."]


def test_lesson_navigation_edits_the_pressed_message(
    fake_api: FakeBotApi, fake_engine: FakeEngine
) -> None:
    with RunningBot(fake_api, fake_engine):
        _say(fake_api, "/start")
        [welcome] = fake_api.calls("sendMessage")
        chat, message_id = ANA.id, welcome.result["message_id"]
        for payload in ("lesson:l1", "next:1:l1", "next:1:l1"):  # the last press repeats itself
            fake_api.push_callback(callback_query(ANA, payload, fake_api.message(chat, message_id)))
            fake_api.wait_idle(quiet=0.2)
    assert len(fake_api.calls("sendMessage")) == 1, "navigation does not flood the chat"
    first, second, again = fake_api.calls("editMessageText")
    assert (first.status, second.status, again.status) == (200, 200, 400)  # "not modified"
    assert first.params["message_id"] == second.params["message_id"] == message_id
    assert first.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "Next"
    assert "reply_markup" not in second.params
    assert fake_api.html_of(chat, message_id) == "<b>Card 2</b>"
    assert len(fake_api.calls("answerCallbackQuery")) == 3


def test_a_press_on_a_picture_sends_instead_of_editing(
    fake_api: FakeBotApi, fake_engine: FakeEngine
) -> None:
    with RunningBot(fake_api, fake_engine):
        _say(fake_api, "/photo")
        [photo] = fake_api.calls("sendPhoto")
        shown = fake_api.message(ANA.id, photo.result["message_id"])
        fake_api.push_callback(callback_query(ANA, "lesson:l1", shown))
        fake_api.wait_idle(quiet=0.2)
    assert not fake_api.calls("editMessageText", faults=True)
    [card] = fake_api.calls("sendMessage")
    assert card.params["text"] == "<b>Card 1</b>"


def test_notices_answer_the_press_and_notice_only_replies_send_nothing(
    fake_api: FakeBotApi, fake_engine: FakeEngine
) -> None:
    with RunningBot(fake_api, fake_engine):
        _say(fake_api, "/start")
        shown = fake_api.message(ANA.id, fake_api.calls("sendMessage")[0].result["message_id"])
        fake_api.push_callback(callback_query(ANA, "stale:thing", shown))
        fake_api.push_callback(callback_query(ANA, "pick:1:0", shown))
        fake_api.wait_idle(quiet=0.2)
        _say(fake_api, "/silent")
    assert [call.params.get("text") for call in fake_api.calls("answerCallbackQuery")] == [
        "This has moved on.",
        "Correct",
    ]
    assert [call.params["text"] for call in fake_api.calls("sendMessage")][1:] == ["Right!"]


def test_a_keyboard_goes_out_exactly_as_python_telegram_bot_would_send_it() -> None:
    rows = [
        [Button("Next ›", "next:3:ab"), Button("Back", "back:1:ab")],
        [],
        [Button("Открыть чат", "", url="https://t.me/civic_bot?start=progress")],
    ]
    made = keyboard(rows)
    assert made is not None
    same = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Next ›", callback_data="next:3:ab"),
                InlineKeyboardButton("Back", callback_data="back:1:ab"),
            ],
            [InlineKeyboardButton("Открыть чат", url="https://t.me/civic_bot?start=progress")],
        ]
    )
    assert made.wire() == same.to_dict()  # what texts and edits send
    assert made.markup().to_dict() == same.to_dict()  # what uploads send
    assert made.markup() == same  # the buttons themselves are there too
    made.wire()["inline_keyboard"][0][0]["text"] = "changed"
    made.markup().to_dict()["inline_keyboard"][0][0]["text"] = "changed"
    assert made.wire() == made.markup().to_dict() == same.to_dict()  # each call its own copy


def test_payloads_over_64_bytes_are_refused_before_sending() -> None:
    assert keyboard([[Button("ok", "é" * 32)]]) is not None
    with pytest.raises(RenderError):
        keyboard([[Button("too long", "é" * 32 + "x")]])
    with pytest.raises(RenderError):
        keyboard([[Button("empty", "")]])
    assert keyboard([[], []]) is None


def test_inline_results_are_capped_unique_and_single_messages() -> None:
    answers = [InlineAnswer(f"id{i % 55}", "", "", "<b>x</b> " * 1000) for i in range(70)]
    answers.append(InlineAnswer("z" * 80, "long id", "d", "text"))
    results = inline_results(answers)
    assert len(results) == 50
    assert len({result.id for result in results}) == 50
    for result in results:
        content = result.input_message_content
        assert isinstance(content, InputTextMessageContent)
        assert not html_problems(content.message_text)
        assert result.description is None
        assert result.title == "x " * 32  # an empty title falls back to the text's start


Scenario = Callable[[ExtBot[int]], Awaitable[None]]


def _with_bot(fake: FakeBotApi, scenario: Scenario) -> None:
    """Run `scenario` with a bot made as `civicbot run` makes it (request, limiter)."""

    async def run() -> None:
        bot: ExtBot[int] = ExtBot(
            TOKEN,
            base_url=fake.base_url,
            request=AiohttpRequest(),
            get_updates_request=AiohttpRequest(connections=1),
            rate_limiter=OutgoingLimiter(attempts=3, backoff=0.01),
        )
        async with bot:
            await scenario(bot)

    asyncio.run(run())


NEXT = ((Button("Next ›", "next:1:ab"), Button("Menu", "menu")),)


def test_texts_and_edits_go_out_exactly_as_the_bot_methods_would_send_them(
    fake_api: FakeBotApi,
) -> None:
    fake_api.add_chat(ANA.chat())
    made = keyboard(NEXT)
    assert made is not None
    markup = made.markup()

    async def scenario(bot: ExtBot[int]) -> None:
        shown = await bot.send_message(
            ANA.id,
            "<b>Card</b> 1",
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            message_thread_id=7,
            reply_parameters=ReplyParameters(5, allow_sending_without_reply=True),
            link_preview_options=NO_PREVIEW,
        )
        await deliver(bot, Where(ANA.id, 7, 5), [Reply("<b>Card</b> 1", NEXT)], None)
        await bot.edit_message_text(
            "<i>Card</i> 2",
            chat_id=ANA.id,
            message_id=shown.message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            link_preview_options=NO_PREVIEW,
        )
        pressed = Pressed(shown.message_id, has_text=True)
        await deliver(bot, Where(ANA.id), [Reply("<i>Card</i> 3", NEXT, replace=True)], pressed)

    _with_bot(fake_api, scenario)
    by_method, ours = fake_api.calls("sendMessage")
    assert list(ours.params.items()) == list(by_method.params.items())
    by_method, ours = fake_api.calls("editMessageText")
    assert ours.params.pop("text") == "<i>Card</i> 3"
    assert by_method.params.pop("text") == "<i>Card</i> 2"
    assert list(ours.params.items()) == list(by_method.params.items())
    assert ours.status == 200
    assert fake_api.html_of(ANA.id, ours.params["message_id"]) == "<i>Card</i> 3"


def test_an_edit_telegram_finds_unchanged_counts_as_done_and_a_refused_one_sends_anew(
    fake_api: FakeBotApi,
) -> None:
    fake_api.add_chat(ANA.chat())
    card = Reply("<b>Card</b> 2", NEXT, replace=True)

    async def scenario(bot: ExtBot[int]) -> None:
        await deliver(bot, Where(ANA.id), [Reply("<b>Card</b> 1", NEXT)], None)
        shown = fake_api.calls("sendMessage")[0].result["message_id"]
        await deliver(bot, Where(ANA.id), [card], Pressed(shown, has_text=True))
        await deliver(bot, Where(ANA.id), [card], Pressed(shown, has_text=True))  # pressed again
        await deliver(bot, Where(ANA.id), [card], Pressed(shown + 100, has_text=True))  # gone

    _with_bot(fake_api, scenario)
    edits = fake_api.calls("editMessageText")
    assert [call.status for call in edits] == [200, 400, 400]
    # Not modified: done, nothing sent. Not found: the card comes as a new message.
    _first, anew = fake_api.calls("sendMessage")
    assert anew.params["text"] == "<b>Card</b> 2" and anew.at > edits[-1].at


def test_a_text_telegram_refuses_fails_as_before_and_a_lost_one_is_not_sent_again(
    fake_api: FakeBotApi,
) -> None:
    fake_api.add_chat(ANA.chat())
    fake_api.fail("sendMessage", "500")  # Telegram cannot have acted on it: sent again,
    fake_api.fail("sendMessage", "drop")  # then it may have arrived: not sent again
    refused: list[BadRequest] = []

    async def scenario(bot: ExtBot[int]) -> None:
        await deliver(bot, Where(ANA.id), [Reply("First."), Reply("Second.")], None)
        try:
            await deliver(bot, Where(999), [Reply("Nobody is there.")], None)
        except BadRequest as exc:
            refused.append(exc)

    _with_bot(fake_api, scenario)
    sent = fake_api.calls("sendMessage", faults=True)
    assert [(call.params["text"], call.fault) for call in sent] == [
        ("First.", "500"),
        ("First.", "drop"),
        ("Second.", None),
        ("Nobody is there.", None),
    ]
    assert [exc.message for exc in refused] == ["Chat not found"]
