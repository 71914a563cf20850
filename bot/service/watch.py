"""Picking up content changes by themselves: the folder is watched, SIGHUP forces a look.

A change that fails the check keeps the last good library, and the admins are told what is
wrong. Reading and indexing the files is the long part, so it runs in its own thread, off the
engine's threads: replies go on meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from pathlib import Path

from bot.service.service import Sender, Service

log = logging.getLogger(__name__)

WATCH_EVERY = 3.0


def content_signature(root: Path) -> tuple[tuple[str, int, int], ...]:
    """What changes when any content file is added, removed or edited."""
    files = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            stat = path.stat()
            files.append((str(path.relative_to(root)), stat.st_mtime_ns, stat.st_size))
    return tuple(files)


async def watch_content(
    service: Service, sender: Sender, root: Path, stop: asyncio.Event, every: float = WATCH_EVERY
) -> None:
    """Reload when the folder under `root` changes or on SIGHUP, until `stop` is set."""
    wake = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGHUP, wake.set)
    last = await asyncio.to_thread(content_signature, root)
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_first(stop, wake), every)
        if stop.is_set():
            break
        try:
            current = await asyncio.to_thread(content_signature, root)
            if current == last and not wake.is_set():
                continue
            wake.clear()
            last = current
            result = await asyncio.to_thread(service.reload)
            if not result.ok:
                await sender.tell_admins(service.describe_reload_failure(result.problems))
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
