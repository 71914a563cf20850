"""Update ordering, de-duplication and the per-person inline limit."""

from __future__ import annotations

import asyncio
import threading
import time

from telegram import Update

from bot.testing.fakebotapi import (
    TOKEN,
    FakeBotApi,
    Person,
    callback_query,
    inline_query,
    text_message,
)
from bot.testing.harness import SECRET_KEY, RunningBot, settings_for
from bot.transports.telegram._flow import ChatOrderedProcessor, PersonRate
from bot.transports.telegram._handlers import CONCURRENCY, Handlers, engine_threads
from bot.transports.telegram._serve import build_application
from tests.transports.fake_engine import FakeEngine


def _update(update_id: int, chat: int) -> Update:
    return Update.de_json(
        {"update_id": update_id, "message": text_message(Person(chat), "x")}, None
    )


def test_one_chat_in_order_other_chats_alongside_and_repeats_dropped() -> None:
    log: list[str] = []

    async def scenario() -> None:
        processor = ChatOrderedProcessor(8)
        gate = asyncio.Event()

        async def work(name: str, wait: bool) -> None:
            log.append(f"start {name}")
            if wait:
                await gate.wait()
            log.append(f"end {name}")

        tasks = [
            asyncio.create_task(processor.process_update(_update(1, 10), work("a1", True))),
            asyncio.create_task(processor.process_update(_update(2, 10), work("a2", False))),
            asyncio.create_task(processor.process_update(_update(3, 20), work("b1", False))),
            asyncio.create_task(processor.process_update(_update(2, 10), work("a2 again", False))),
        ]
        await asyncio.sleep(0.05)
        assert log == ["start a1", "start b1", "end b1"]
        gate.set()
        await asyncio.gather(*tasks)
        assert processor._locks == {}  # no chat id outlives its updates

    asyncio.run(scenario())
    assert log == ["start a1", "start b1", "end b1", "end a1", "start a2", "end a2"]


def test_each_person_gets_a_burst_of_inline_answers_then_a_steady_rate() -> None:
    now = [100.0]
    rate = PersonRate(3, 2.0, remembered=2, clock=lambda: now[0])
    assert [rate.take("ana") for _ in range(5)] == [True, True, True, False, False]
    assert rate.take("boris")  # another person has a bucket of their own
    now[0] += 0.5  # one more for ana after half a second at 2 a second
    assert [rate.take("ana"), rate.take("ana")] == [True, False]
    now[0] += 10
    assert [rate.take("ana") for _ in range(4)] == [True, True, True, False]  # never over burst
    rate.take("carol")
    rate.take("dan")  # only the two most recent people are remembered
    assert rate._buckets.keys() == {"carol", "dan"}


def test_inline_queries_over_a_persons_limit_get_no_search_and_no_answer(
    fake_api: FakeBotApi, fake_engine: FakeEngine
) -> None:
    ana, boris = Person(7001), Person(7002)
    limit = {"inline": {"burst": 3, "per_second": 0.5}}
    with RunningBot(fake_api, fake_engine, telegram=limit):
        for n in range(40):  # as fast as a script can type
            fake_api.push_inline(inline_query(ana, f"vaccines {n}"))
        fake_api.push_inline(inline_query(boris, "vaccines"))
        fake_api.wait_for("answerInlineQuery", 4)
        fake_api.wait_idle()
    answered = fake_api.calls("answerInlineQuery")
    assert 4 <= len(answered) <= 5  # ana's burst of 3 (and one more if 2 s passed), boris's one
    assert len(fake_engine.inline_queries) == len(answered)
    assert ("vaccines", "en") in fake_engine.inline_queries  # boris was not held up by ana


def test_no_raw_id_is_kept_once_updates_are_handled(fake_api: FakeBotApi) -> None:
    ana = Person(42_424_242)

    async def scenario() -> None:
        handlers = Handlers(FakeEngine(), SECRET_KEY)
        telegram = settings_for(fake_api).telegram
        app = build_application(handlers, telegram, TOKEN, polling=True, concurrency=4)
        async with app:
            message = text_message(ana, "/start")
            fake_api.push_message(message)
            await app.process_update(Update.de_json({"update_id": 1, "message": message}, app.bot))
            shown = fake_api.message(ana.id, fake_api.calls("sendMessage")[0].result["message_id"])
            press = callback_query(ana, "pick:1:0", shown)
            fake_api.push_callback(press)
            await app.process_update(
                Update.de_json({"update_id": 2, "callback_query": press}, app.bot)
            )
            assert (app.user_data, app.chat_data, app.bot_data) == ({}, {}, {})
            assert app.persistence is None

    asyncio.run(scenario())
    assert [call.method for call in fake_api.calls()][-3:] == [
        "sendMessage",
        "answerCallbackQuery",
        "sendMessage",
    ]


class _OneAtATime(FakeEngine):
    one_at_a_time = True


def _peak_overlap(workers: int) -> int:
    """How many of 12 short engine calls ran at once, at most, in the engine's threads."""
    threads = engine_threads(_OneAtATime() if workers == 1 else FakeEngine())
    assert threads.workers == workers
    lock, active, peak = threading.Lock(), [0], [0]

    def call() -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.02)
        with lock:
            active[0] -= 1

    async def run() -> None:
        await asyncio.gather(*(threads.call(call) for _ in range(12)))
        await threads.shutdown()

    asyncio.run(run())
    return peak[0]


def test_an_engine_that_takes_one_event_at_a_time_gets_one_thread() -> None:
    assert _peak_overlap(1) == 1


def test_other_engines_get_a_thread_per_concurrent_update() -> None:
    assert 1 < _peak_overlap(CONCURRENCY) <= CONCURRENCY
