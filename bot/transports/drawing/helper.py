"""Drawing pictures (progress charts) and reading the pictures people send, away from the
conversation.

A chart takes about a tenth of a second of CPU. Drawn where the engine runs, everyone's next
reply would wait behind it (on SQLite the engine runs in one thread), and in a thread beside it
it would still compete for the interpreter. So a transport that serves many people hands each
drawing to a helper process, started on first use and reused. If that process cannot start or
dies, drawings are made in threads from then on; a drawing that fails or takes too long is left
out and the reply's text still goes. A picture someone sent is read there too (its words and
hashes, see reading.py), under a time limit of its own.
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
from pickle import PicklingError
from typing import Any, TypeVar

from bot.engine.events import Attachment, PictureProblem, Reply, SeenPicture
from bot.engine.pictures import Picture
from bot.transports.drawing import draw as draw_picture
from bot.transports.drawing import undrawn
from bot.transports.drawing.reading import Tesseract, find_tesseract, read_picture

log = logging.getLogger(__name__)
Done = TypeVar("Done")

PARENT_CHECK_SECONDS = 1.0
DRAW_SECONDS = 20.0  # a drawing not done by then is left out
READ_SECONDS = 12.0  # a picture not read by then gets "could not read it"
FIND = "find"  # look for Tesseract on first use
# What says the helper process cannot be used (not that the drawing itself went wrong).
HELPER_FAILURES = (BrokenProcessPool, OSError, NotImplementedError, ImportError, PicklingError)


class Drawer:
    """Draws the attachments of replies in one helper process (in a thread if it cannot)."""

    def __init__(
        self,
        draw: Callable[[Picture], bytes] = draw_picture,
        tesseract: Tesseract | str | None = FIND,
    ) -> None:
        self._draw_one = draw  # module-level, so the helper process can run it
        self._tesseract = tesseract
        self._pool: Executor | None = None
        self._failed = False  # the helper failed once: draw in threads from then on

    async def replies(self, replies: list[Reply]) -> list[Reply]:
        """The replies with every attachment drawn; one that cannot be drawn is left out."""
        if not undrawn(replies):
            return replies
        done = []
        for reply in replies:
            made = reply.attachment
            if made is None or made.picture is None:
                done.append(reply)
                continue
            data = await self._draw(made.picture)
            picture = Attachment(made.filename, data, made.photo) if data is not None else None
            done.append(replace(reply, attachment=picture))
        return done

    async def _draw(self, picture: Picture) -> bytes | None:
        try:
            return await asyncio.wait_for(self._draw_somewhere(picture), DRAW_SECONDS)
        except Exception as exc:  # a failed or stuck drawing must not cost the reply its text
            log.error("a picture could not be drawn: %s", type(exc).__name__)
            return None

    @property
    def tesseract(self) -> Tesseract | None:
        """Tesseract, when it is installed here (looked for once)."""
        if isinstance(self._tesseract, str):
            self._tesseract = find_tesseract()
            if self._tesseract is None:
                log.warning("Tesseract is not installed: pictures are read by caption only")
        return self._tesseract

    async def read(self, data: bytes) -> SeenPicture:
        """The words and hashes of a picture someone sent; never raises."""
        try:
            return await asyncio.wait_for(
                self._somewhere(read_picture, data, self.tesseract), READ_SECONDS
            )
        except TimeoutError:
            log.warning("a picture took too long to read")
            return SeenPicture(problem=PictureProblem.SLOW)
        except Exception as exc:  # a reader that failed must not cost the person an answer
            log.error("a picture could not be read: %s", type(exc).__name__)
            return SeenPicture(problem=PictureProblem.BROKEN)

    async def _draw_somewhere(self, picture: Picture) -> bytes:
        return await self._somewhere(self._draw_one, picture)

    async def _somewhere(self, work: Callable[..., Done], *args: Any) -> Done:
        pool = self._helper()
        if pool is not None:
            try:
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(pool, work, *args)
            except HELPER_FAILURES as exc:
                self._give_up(pool, exc)
        return await asyncio.to_thread(work, *args)

    def _helper(self) -> Executor | None:
        if self._failed:
            return None
        if self._pool is None:
            try:
                # spawn, not fork: the bot has threads and open connections a fork would copy.
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_helper_starts,
                    initargs=(os.getpid(),),
                )
            except HELPER_FAILURES as exc:
                self._give_up(None, exc)
        return self._pool

    def _give_up(self, pool: Executor | None, exc: BaseException) -> None:
        """Draw in threads from now on (a helper that failed once would likely fail again,
        and starting one costs a second or two of CPU)."""
        if not self._failed:
            log.warning("the drawing process failed (%s); drawing in threads", type(exc).__name__)
        self._failed = True
        if pool is not None:
            pool.shutdown(wait=False)  # drawings still queued there fail on their own
        if self._pool is pool:
            self._pool = None

    def shutdown(self) -> None:
        """Stop the helper (the bot is stopping: nothing is waiting for a drawing)."""
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
