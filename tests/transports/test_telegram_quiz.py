"""A quiz through the Telegram stand-in: the real python-telegram-bot stack and the real engine
against the fake Bot API. An empty Done keeps the question and its keyboard; typed text during a
question answers it or gets a hint, and never an offer to send it to the editors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.testing.fakebotapi import Call, FakeBotApi, Person, callback_query, text_message
from bot.testing.harness import RunningBot
from tests.transports.conftest import real_engine

ANA = Person(987_654_321_012, "Ana", "en")


def _keyboard(call: Call) -> list[dict[str, str]]:
    markup = call.params.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def _latest_with_buttons(fake: FakeBotApi) -> tuple[int, list[dict[str, str]]]:
    calls = [
        call
        for call in fake.calls()
        if call.method in ("sendMessage", "editMessageText") and _keyboard(call)
    ]
    last = calls[-1]
    message_id = last.params.get("message_id") or last.result["message_id"]
    return int(message_id), _keyboard(last)


def _texts_since(fake: FakeBotApi, count: int) -> list[str]:
    calls = [c for c in fake.calls() if c.method in ("sendMessage", "editMessageText")]
    return [str(call.params.get("text", "")) for call in calls[count:]]


def _sent(fake: FakeBotApi) -> int:
    return len([c for c in fake.calls() if c.method in ("sendMessage", "editMessageText")])


def _say(fake: FakeBotApi, text: str) -> list[str]:
    before = _sent(fake)
    fake.push_message(text_message(ANA, text))
    fake.wait_idle()
    return _texts_since(fake, before)


def _press(fake: FakeBotApi, label: str) -> list[str]:
    before = _sent(fake)
    message_id, buttons = _latest_with_buttons(fake)
    data = next(b["callback_data"] for b in buttons if label in b["text"])
    shown: dict[str, Any] = fake.message(ANA.id, message_id)
    fake.push_callback(callback_query(ANA, data, shown))
    fake.wait_idle()
    return _texts_since(fake, before)


def _to_the_quiz(fake: FakeBotApi) -> None:
    _say(fake, "/lessons")
    _press(fake, "Spotting emotional")
    _press(fake, "Next")
    _press(fake, "Next")
    _press(fake, "Take the quiz")


def test_done_with_nothing_ticked_keeps_the_question_and_its_keyboard(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    with RunningBot(fake_api, real_engine(tmp_path)):
        _to_the_quiz(fake_api)
        _press(fake_api, "A reaction before thought")
        _press(fake_api, "Next question")
        out = _press(fake_api, "Done")
        assert any("Which are warning signs?" in text for text in out), out
        _, buttons = _latest_with_buttons(fake_api)
        assert [b["text"] for b in buttons][-1] == "✅ Done"
        assert len(buttons) == 4
        notices = [c.params.get("text") for c in fake_api.calls("answerCallbackQuery")]
        assert "Tick at least one answer first." in notices
        _press(fake_api, "ALL CAPS")
        assert any("Partly right" in text for text in _press(fake_api, "Done"))


def test_typed_text_during_a_question_is_an_answer_or_a_hint(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    with RunningBot(fake_api, real_engine(tmp_path)):
        _to_the_quiz(fake_api)
        for typed in ("9", "0", "5G towers cause COVID-19 and everybody knows it"):
            out = _say(fake_api, typed)
            assert any("Tap an option below" in text for text in out), out
            _, buttons = _latest_with_buttons(fake_api)
            assert [b["text"] for b in buttons] == [
                "A reaction before thought",
                "A calm discussion",
            ]
        out = _say(fake_api, "A calm discussion")
        assert any("Not quite" in text for text in out), out
        everything = " ".join(str(c.params) for c in fake_api.calls())
        assert "Send it to the editors" not in everything
