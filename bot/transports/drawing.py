"""Drawing pictures (progress charts) away from the conversation.

A chart takes about a tenth of a second of CPU. Drawn where the engine runs, everyone's next
reply would wait behind it (on SQLite the engine runs in one thread), and in a thread beside it
it would still compete for the interpreter. So a transport that serves many people hands each
drawing to a helper process, started on first use and reused. If that process cannot start or
dies, the drawing is made in a thread instead; a drawing that fails is left out and the reply's
text still goes.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from bot.engine.events import Attachment, Reply, undrawn

log = logging.getLogger(__name__)

PARENT_CHECK_SECONDS = 1.0


class Drawer:
    """Draws the attachments of replies in one helper process."""

    def __init__(self) -> None:
        self._pool: Executor | None = None

    async def replies(self, replies: list[Reply]) -> list[Reply]:
        """The replies with every attachment drawn."""
        if not undrawn(replies):
            return replies
        done = []
        for reply in replies:
            made = reply.attachment
            if made is None or made.draw is None:
                done.append(reply)
                continue
            data = await self._draw(made.draw)
            picture = Attachment(made.filename, data, made.photo) if data is not None else None
            done.append(replace(reply, attachment=picture))
        return done

    async def _draw(self, draw: Callable[[], bytes]) -> bytes | None:
        """The drawing, or None when it failed (the reply then goes without it)."""
        loop = asyncio.get_running_loop()
        try:
            try:
                return await loop.run_in_executor(self._executor(), draw)
            except (BrokenProcessPool, OSError) as exc:
                log.warning("drawing process failed (%s); drawing in a thread", type(exc).__name__)
                self.shutdown()
                return await asyncio.to_thread(draw)
        except Exception as exc:
            log.error("a picture could not be drawn: %s", type(exc).__name__)
            return None

    def _executor(self) -> Executor:
        if self._pool is None:
            # spawn, not fork: the bot has threads and open connections a fork would copy.
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_helper_starts,
                initargs=(os.getpid(),),
            )
        return self._pool

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _helper_starts(bot_pid: int) -> None:
    """In the helper. Ctrl-C in a terminal is for the bot, which stops the helper itself; and
    a bot killed outright (SIGKILL, out of memory) cannot, so the helper leaves on its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_leave_with, args=(bot_pid,), daemon=True).start()


def _leave_with(bot_pid: int) -> None:
    while os.getppid() == bot_pid:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)
