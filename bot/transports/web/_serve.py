"""Running the web chat: listen, keep the library fresh and the data purged, stop on a signal.

The web process does not drain the outbox: web visitors have no address to send to (a page
cannot be written to unasked), and the outbox's rows belong to the Telegram process, which may
run at the same time on the same database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Coroutine
from typing import Any

from aiohttp import web

from bot.config import Settings
from bot.engine.engine import Engine
from bot.engine.events import Reply
from bot.service import Service, watch_content
from bot.service.service import PURGE_EVERY
from bot.transports.web._app import WebChat

log = logging.getLogger(__name__)


class StartError(Exception):
    """The web chat could not start; the message says why."""


class _LogOnly:
    """The service's way to the people who run the bot, from the web process: the log."""

    async def send(self, address: str, replies: list[Reply]) -> bool:  # noqa: ARG002
        return False

    async def tell_admins(self, text: str) -> None:  # noqa: ARG002 - may quote content files
        log.warning("a content change was refused; run `civicbot content check` to see why")


async def serve(
    engine: Engine,
    settings: Settings,
    secret: bytes,
    *,
    service: Service | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve the chat at web.listen:web.port until `stop` is set (or SIGTERM/SIGINT)."""
    stop = stop or asyncio.Event()
    chat = WebChat(engine, settings.web, secret)
    runner = web.AppRunner(chat.app, access_log=None)  # an access log would hold addresses
    await runner.setup()
    site = web.TCPSite(runner, settings.web.listen, settings.web.port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        where = f"{settings.web.listen}:{settings.web.port}"
        raise StartError(f"cannot listen on {where} ({exc.strerror})") from None
    loop = asyncio.get_running_loop()
    signals = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            signals.append(sig)
    log.info("web chat at http://%s:%d/", settings.web.listen, settings.web.port)
    try:
        jobs: list[Coroutine[Any, Any, object]] = [stop.wait()]
        if service is not None:
            jobs.append(_purge(service, chat, stop))
            if service.content_root is not None:
                jobs.append(watch_content(service, _LogOnly(), service.content_root, stop))
        await asyncio.gather(*jobs)
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
        await runner.cleanup()
        await chat.threads.shutdown()
        chat.drawer.shutdown()
    log.info("stopped")


async def _purge(service: Service, chat: WebChat, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            counts = await chat.threads.call(service.purge)
            log.info("retention purge deleted %d rows", sum(counts.values()))
        except Exception as exc:  # runs again tomorrow
            log.error("retention purge failed: %s", type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), PURGE_EVERY)
