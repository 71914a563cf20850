"""When Telegram or the engine misbehaves: 429s are waited out, 5xx answers are retried (and
dropped connections where a repeat does no harm; sends: see test_telegram_outgoing), no update
is lost or handled twice, one slow chat does not hold up the others, and an engine failure is
logged by type only while the button is still answered."""

from __future__ import annotations

import threading
from collections import Counter

from bot.engine.events import Incoming, InlineAnswer, Reply
from bot.testing.fakebotapi import FakeBotApi, Person, callback_query, text_message
from bot.testing.harness import Recording, RunningBot
from tests.transports.conftest import LogCapture
from tests.transports.fake_engine import FakeEngine

ANA = Person(1001)
BORIS = Person(1002)


def test_429_is_waited_out_for_retry_after(fake_api: FakeBotApi, fake_engine: FakeEngine) -> None:
    fake_api.fail("sendMessage", "429", retry_after=1)
    with RunningBot(fake_api, fake_engine):
        fake_api.push_message(text_message(ANA, "claim one"))
        [sent] = fake_api.wait_for("sendMessage")
    [refused] = [call for call in fake_api.calls("sendMessage", faults=True) if call.fault]
    assert sent.at - refused.at >= 1.0
    assert len(fake_api.calls("sendMessage", faults=True)) == 2


def test_polling_survives_500s_and_dropped_connections_without_loss_or_repeats(
    fake_api: FakeBotApi, fake_engine: FakeEngine
) -> None:
    engine = Recording(fake_engine)
    with RunningBot(fake_api, engine):
        fake_api.fail("getUpdates", "500")
        fake_api.fail("getUpdates", "drop")
        for n in range(3):
            fake_api.push_message(text_message(ANA, f"claim {n}"))
        fake_api.wait_for("sendMessage", count=3, timeout=15)
        fake_api.push_message(text_message(ANA, "claim 3"))
        fake_api.wait_for("sendMessage", count=4)
    assert engine.texts() == [f"claim {n}" for n in range(4)]
    faults = [call.fault for call in fake_api.calls("getUpdates", faults=True) if call.fault]
    assert faults == ["500", "drop"]
    assert fake_api.confirmed_offset == 5


def test_sends_are_retried_after_500s_and_button_answers_after_dropped_connections(
    fake_api: FakeBotApi, fake_engine: FakeEngine
) -> None:
    fake_api.fail("sendMessage", "500")
    fake_api.fail("answerCallbackQuery", "drop")
    with RunningBot(fake_api, fake_engine):
        fake_api.push_message(text_message(ANA, "/start"))
        [welcome] = fake_api.wait_for("sendMessage", timeout=15)
        shown = fake_api.message(ANA.id, welcome.result["message_id"])
        fake_api.push_callback(callback_query(ANA, "pick:1:0", shown))
        fake_api.wait_for("answerCallbackQuery")
        fake_api.wait_idle()
    assert [call.params["text"] for call in fake_api.calls("sendMessage")] == [
        "<b>Welcome</b> &amp; hello.",
        "Right!",
    ]
    assert len(fake_api.calls("sendMessage", faults=True)) == 3
    assert len(fake_api.calls("answerCallbackQuery", faults=True)) == 2


def test_engine_failures_are_logged_by_type_and_presses_still_answered(
    fake_api: FakeBotApi, fake_engine: FakeEngine, bot_log: LogCapture
) -> None:
    with RunningBot(fake_api, fake_engine):
        fake_api.push_message(text_message(ANA, "/boom private words"))
        fake_api.push_message(text_message(ANA, "/start"))
        [welcome] = fake_api.wait_for("sendMessage")
        shown = fake_api.message(ANA.id, welcome.result["message_id"])
        press = callback_query(ANA, "boom", shown)
        fake_api.push_callback(press)
        [answered] = fake_api.wait_for("answerCallbackQuery")
        fake_api.push_message(text_message(ANA, "still there?"))
        fake_api.wait_for("sendMessage", count=2)
    assert answered.params["callback_query_id"] == press["id"]
    assert "handling a message failed: RuntimeError" in bot_log.text
    assert "handling a callback_query failed: RuntimeError" in bot_log.text
    bot_log.assert_clean("private words", "engine failure", str(ANA.id))


class _SlowForAna(FakeEngine):
    """Blocks Ana's messages until released, to show other chats are not held up."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.ana_key: str | None = None

    def handle(self, incoming: Incoming) -> list[Reply]:
        if incoming.text.startswith("ana") and not self.release.wait(10):
            raise AssertionError("never released")
        return super().handle(incoming)

    def inline(self, text: str, language: str | None) -> list[InlineAnswer]:
        return super().inline(text, language)[:1]


def test_chats_run_in_parallel_but_each_chat_in_order(fake_api: FakeBotApi) -> None:
    engine = _SlowForAna()
    with RunningBot(fake_api, engine):
        for n in range(5):
            fake_api.push_message(text_message(ANA, f"ana {n}"))
        fake_api.push_message(text_message(BORIS, "boris 0"))
        [boris] = fake_api.wait_for("sendMessage")
        assert boris.params["chat_id"] == BORIS.id  # answered while Ana's chat is blocked
        engine.release.set()
        fake_api.wait_for("sendMessage", count=6)
    anas = [
        call.params["text"]
        for call in fake_api.calls("sendMessage")
        if call.params["chat_id"] == ANA.id
    ]
    assert anas == [f"Claim received: <i>ana {n}</i>" for n in range(5)]
    assert Counter(engine.texts_seen()) == Counter([f"ana {n}" for n in range(5)] + ["boris 0"])
