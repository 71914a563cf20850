"""What a running bot does besides answering: send queued messages, queue reminders, purge old
data, and pick up content changes.

Each job is a loop on the event loop that hands its blocking part to a thread. State lives in
the database, so with several workers every one runs the same jobs safely: the outbox and due
reminders are claimed row by row, and the send rate is a bucket they share.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.config import Settings
from bot.engine.engine import Engine
from bot.engine.events import Reply
from bot.storage.keys import AddressBox
from bot.storage.retention import purge_now
from bot.transports.telegram._flow import EngineThreads
from bot.transports.telegram._render import Where, deliver

log = logging.getLogger(__name__)

OUTBOX_BATCH = 25
OUTBOX_IDLE = 0.2
REMINDERS_EVERY = 60.0
PURGE_EVERY = 24 * 3600.0
WATCH_EVERY = 3.0


async def run_jobs(
    bot: Bot,
    engine: Engine,
    settings: Settings,
    box: AddressBox,
    stop: asyncio.Event,
    threads: EngineThreads,
    *,
    watch: bool = True,
) -> None:
    """Run every job until `stop` is set; their database work runs in the engine's threads."""
    jobs: list[Awaitable[None]] = [
        _every(OUTBOX_IDLE, stop, lambda: drain_outbox(bot, engine, box, threads)),
        _every(REMINDERS_EVERY, stop, lambda: threads.call(engine.queue_reminders)),
        _every(PURGE_EVERY, stop, lambda: _purge(engine, settings, threads)),
    ]
    if watch:
        jobs.append(watch_content(bot, engine, settings, stop))
    await asyncio.gather(*jobs)


async def _every(seconds: float, stop: asyncio.Event, job: Callable[[], Awaitable[object]]) -> None:
    while not stop.is_set():
        try:
            await job()
        except Exception as exc:  # a failing job must not stop the bot; it runs again later
            log.error("background job failed: %s", type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)


async def drain_outbox(bot: Bot, engine: Engine, box: AddressBox, threads: EngineThreads) -> int:
    """Send what the outbox holds, as fast as the shared rate allows. Returns how many."""
    sent = 0
    while True:
        batch = await threads.call(engine.claim_outbox, OUTBOX_BATCH)
        if not batch:
            return sent
        # The batch leaves at once, right after its share of the send rate was taken: the
        # rate holds for when messages leave, so they must not trail out one by one.
        results = await asyncio.gather(
            *(send_to(bot, box, message.address, [message.reply]) for message in batch),
            return_exceptions=True,
        )
        for message, result in zip(batch, results, strict=True):
            ok = result is True
            if isinstance(result, BaseException):
                log.error("sending an unasked message failed: %s", type(result).__name__)
            await threads.call(engine.finish_outbox, message.id, ok)
            sent += ok


async def send_to(bot: Bot, box: AddressBox, address: str, replies: list[Reply]) -> bool:
    chat = box.open(address)
    if chat is None or not chat.lstrip("-").isdigit():
        log.warning("an outbox address could not be opened (wrong address key?)")
        return False
    try:
        await deliver(bot, Where(int(chat)), replies, pressed=None)
    except (Forbidden, BadRequest) as exc:  # blocked the bot, or the chat is gone
        log.info("an unasked message was refused: %s", type(exc).__name__)
        return False
    except TelegramError as exc:
        log.warning("an unasked message failed: %s", type(exc).__name__)
        return False
    return True


async def _purge(engine: Engine, settings: Settings, threads: EngineThreads) -> None:
    counts = await threads.call(purge_now, engine.store.engine, settings)
    log.info("retention purge deleted %d rows", sum(counts.values()))


def content_signature(root: Path) -> tuple[tuple[str, int, int], ...]:
    """What changes when any content file is added, removed or edited."""
    files = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            stat = path.stat()
            files.append((str(path.relative_to(root)), stat.st_mtime_ns, stat.st_size))
    return tuple(files)


async def watch_content(bot: Bot, engine: Engine, settings: Settings, stop: asyncio.Event) -> None:
    """Reload when the content folder changes or on SIGHUP; tell the admins when it fails."""
    root = engine.content.library.root
    wake = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGHUP, wake.set)
    last = await asyncio.to_thread(content_signature, root)
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_first(stop, wake), WATCH_EVERY)
        if stop.is_set():
            break
        try:
            current = await asyncio.to_thread(content_signature, root)
            if current == last and not wake.is_set():
                continue
            wake.clear()
            last = current
            # Reading and indexing the files is the long part: off the engine's threads, so
            # replies go on meanwhile.
            result = await asyncio.to_thread(engine.reload)
            if not result.ok:
                await _tell_admins(bot, engine, settings, result.problems)
        except Exception as exc:  # a vanished folder or a failed reload must not stop the bot
            log.error("watching the content failed: %s", type(exc).__name__)
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.remove_signal_handler(signal.SIGHUP)


async def _first(*events: asyncio.Event) -> None:
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def _tell_admins(
    bot: Bot, engine: Engine, settings: Settings, problems: tuple[str, ...]
) -> None:
    text = engine.describe_reload_failure(problems)
    for admin in settings.telegram.admins:
        try:
            await deliver(bot, Where(admin), [Reply(text)], pressed=None)
        except TelegramError as exc:
            log.warning("telling an admin about a failed reload failed: %s", type(exc).__name__)
