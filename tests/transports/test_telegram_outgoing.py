"""Outgoing calls: no second holds more sends than the limit (inline answers count), and a call
that creates something is repeated only when Telegram cannot have acted on it."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.testing.fakebotapi import FakeBotApi, Person, callback_query, inline_query, text_message
from bot.testing.harness import Recording, RunningBot
from bot.transports.telegram._http import ConnectTimeoutError, NotSentError, ServerError
from bot.transports.telegram._outgoing import (
    MayHaveArrivedError,
    OutgoingLimiter,
    SlidingWindow,
    window_for,
)
from tests.transports.conftest import LogCapture
from tests.transports.fake_engine import FakeEngine

ANA = Person(1001)


def _departures(window: SlidingWindow, now: list[float], asked: list[float]) -> list[float]:
    """When requests asked for at `asked` leave (the clock jumps over each wait)."""
    left = []
    for at in asked:
        now[0] = max(now[0], at)
        while (delay := window.wait()) > 0:
            now[0] += delay
        window.leave()
        left.append(now[0])
    return left


def test_no_period_of_a_sliding_window_holds_more_than_its_limit() -> None:
    now = [0.0]
    window = SlidingWindow(5, 1.0, clock=lambda: now[0])
    left = _departures(window, now, [step * 0.07 for step in range(40)])  # faster than allowed
    assert left == sorted(left)
    assert all(later - earlier >= 1.0 for earlier, later in zip(left, left[5:], strict=False))
    assert left[:5] == pytest.approx([0.0, 0.07, 0.14, 0.21, 0.28])  # the first five at once


def test_requests_leave_evenly_spaced() -> None:
    now = [0.0]
    window = SlidingWindow(3, 1.0, spacing=0.25, clock=lambda: now[0])
    assert _departures(window, now, [0.0] * 5) == [0.0, 0.25, 0.5, 1.0, 1.25]


def test_a_late_wake_up_is_counted_when_it_left_not_when_it_was_due() -> None:
    now = [0.0]
    window = SlidingWindow(2, 1.0, clock=lambda: now[0])
    _departures(window, now, [0.0])
    now[0] = 0.6  # the second was due at 0 but the loop was busy: it leaves at 0.6
    window.leave()
    assert window.wait() == pytest.approx(0.4)  # the third waits for 0 + 1 s, not for 0.6 + 1 s
    now[0] = 1.0
    window.leave()
    assert window.wait() == pytest.approx(0.6)  # and the fourth for the late one's 0.6 + 1 s


def test_the_window_keeps_a_margin_and_handles_rates_below_one() -> None:
    thirty = window_for(30.0)
    assert thirty is not None and thirty.limit == 30 and 1.0 < thirty.period <= 1.15
    assert thirty.spacing == pytest.approx(1 / 30)
    slow = window_for(0.5)
    assert slow is not None and slow.limit == 1 and slow.period >= 2.0
    assert window_for(0) is None


def test_no_second_over_the_bot_api_holds_more_sends_than_the_limit(
    fake_api: FakeBotApi, fake_engine: FakeEngine
) -> None:
    people = [Person(5000 + n) for n in range(36)]
    with RunningBot(fake_api, fake_engine, telegram={"overall_per_second": 10.0}):
        started = time.monotonic()
        for person in people[:30]:
            fake_api.push_message(text_message(person, "a claim"))
        for person in people[30:]:
            fake_api.push_inline(inline_query(person, "vaccines"))
        fake_api.wait_for("sendMessage", 30, timeout=20)
        fake_api.wait_for("answerInlineQuery", 6, timeout=20)
        took = time.monotonic() - started
    busiest = fake_api.most_in_one_second()
    assert busiest == 10, f"the busiest second held {busiest} sends"
    assert took >= 3.0  # 36 sends at 10 a second need over three seconds


def _run(endpoint: str, failures: list[Exception]) -> tuple[int, object]:
    """How often `endpoint` was attempted, and what the limiter returned or raised."""
    attempts = 0

    async def call(*_args: Any, **_kwargs: Any) -> bool:
        nonlocal attempts
        attempts += 1
        if failures:
            raise failures.pop(0)
        return True

    async def scenario() -> object:
        limiter = OutgoingLimiter(attempts=3, backoff=0.01)
        data = {"chat_id": 1} if endpoint.startswith(("send", "edit")) else {}
        try:
            return await limiter.process_request(call, (), {}, endpoint, data, None)
        except Exception as exc:
            return exc

    result = asyncio.run(scenario())
    return attempts, result


@pytest.mark.parametrize(
    "failure",
    [
        NotSentError("refused"),
        ConnectTimeoutError("connecting"),
        ServerError(500, "Internal Server Error"),
        ServerError(503, "Service Unavailable"),
        RetryAfter(dt.timedelta(0)),
    ],
)
def test_a_send_telegram_cannot_have_seen_is_sent_again(
    failure: Exception, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as `serve` sets it
    assert _run("sendMessage", [failure]) == (2, True)


@pytest.mark.parametrize(
    "failure",
    [TimedOut(), NetworkError("aiohttp.ServerDisconnectedError"), ServerError(502, "Bad Gateway")],
)
@pytest.mark.parametrize("endpoint", ["sendMessage", "sendPhoto", "editMessageText"])
def test_a_send_that_may_have_arrived_is_not_sent_again(endpoint: str, failure: Exception) -> None:
    attempts, result = _run(endpoint, [failure])
    assert attempts == 1
    assert isinstance(result, MayHaveArrivedError) and result.__cause__ is failure


@pytest.mark.parametrize("endpoint", ["getMe", "answerCallbackQuery", "setMyCommands"])
def test_calls_whose_repeat_changes_nothing_are_retried_after_any_network_failure(
    endpoint: str,
) -> None:
    assert _run(endpoint, [TimedOut(), NetworkError("dropped")]) == (3, True)


def test_retries_give_up_after_the_last_attempt() -> None:
    attempts, result = _run(
        "sendMessage", [NotSentError("a"), NotSentError("b"), NotSentError("c")]
    )
    assert attempts == 3 and isinstance(result, NotSentError)


def test_refusals_are_not_retried() -> None:
    refusal = BadRequest("Bad Request: chat not found")
    assert _run("sendMessage", [refusal]) == (1, refusal)
    too_old = BadRequest("Bad Request: query is too old or query ID is invalid")
    assert _run("answerCallbackQuery", [too_old]) == (1, too_old)


def test_a_second_answer_refused_after_an_unknown_first_one_counts_as_answered() -> None:
    too_old = BadRequest("Bad Request: query is too old or query ID is invalid")
    assert _run("answerCallbackQuery", [TimedOut(), too_old]) == (2, True)


def test_a_message_whose_answer_was_lost_is_delivered_once_and_the_reply_goes_on(
    fake_api: FakeBotApi, fake_engine: FakeEngine, bot_log: LogCapture
) -> None:
    fake_api.fail("sendMessage", "answer_drop")
    fake_api.fail("answerCallbackQuery", "answer_drop")
    with RunningBot(fake_api, fake_engine):
        fake_api.push_message(text_message(ANA, "/two"))
        fake_api.wait_for("sendMessage", 2)
        shown = fake_api.calls("sendMessage")[-1].result
        fake_api.push_callback(callback_query(ANA, "pick:1:0", shown))
        fake_api.wait_for("answerCallbackQuery")
        fake_api.wait_idle()
    sent = fake_api.calls("sendMessage", faults=True)
    assert [call.params["text"] for call in sent] == ["First.", "Second.", "Right!"]
    assert [call.fault for call in sent] == ["answer_drop", None, None]
    answers = fake_api.calls("answerCallbackQuery", faults=True)
    assert [(call.fault, call.status) for call in answers] == [("answer_drop", 200), (None, 400)]
    assert "handling a" not in bot_log.text  # nothing failed as far as the person can tell


def test_a_send_dropped_before_it_arrived_is_not_repeated(
    fake_api: FakeBotApi, fake_engine: FakeEngine
) -> None:
    fake_api.fail("sendMessage", "drop")
    engine = Recording(fake_engine)
    with RunningBot(fake_api, engine):
        fake_api.push_message(text_message(ANA, "lost on the way"))
        fake_api.push_message(text_message(ANA, "next one"))
        fake_api.wait_for("sendMessage")
        fake_api.wait_idle()
    assert engine.texts() == ["lost on the way", "next one"]
    texts = [call.params["text"] for call in fake_api.calls("sendMessage", faults=True)]
    assert texts == [
        "Claim received: <i>lost on the way</i>",
        "Claim received: <i>next one</i>",
    ]
