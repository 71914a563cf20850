"""Pictures are drawn in a helper process; when it dies the bot draws in a thread, and a picture
that cannot be drawn is left out while its text still goes."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any, cast

import pytest

from bot.engine.events import Attachment, Reply
from bot.engine.pictures import Picture
from bot.transports.drawing import helper as drawing
from bot.transports.drawing.helper import Drawer


def call(task: Any) -> bytes:
    """Draws a test's "picture", which is a function to run (it pickles, as a picture must)."""
    result: bytes = task()
    return result


def _pid() -> bytes:
    return str(os.getpid()).encode()


def _die_unless_in(pid: int) -> bytes:
    if os.getpid() != pid:
        os._exit(1)
    return b"drawn in the bot"


def _fail() -> bytes:
    raise ValueError("secret figures 42")


def _slow(seconds: float) -> bytes:
    time.sleep(seconds)
    return b"too late"


def _draw(*draws: partial[bytes]) -> list[Reply]:
    replies = [
        Reply("text"),
        *(
            Reply(
                f"picture {i}",
                attachment=Attachment("p.png", b"", photo=True, picture=cast(Picture, draw)),
            )
            for i, draw in enumerate(draws)
        ),
    ]

    async def run() -> list[Reply]:
        drawer = Drawer(draw=call)
        try:
            return await drawer.replies(replies)
        finally:
            drawer.shutdown()

    return asyncio.run(run())


def test_pictures_are_drawn_in_another_process_and_the_rest_is_untouched() -> None:
    plain, first, second = _draw(partial(_pid), partial(_pid))
    assert plain == Reply("text")
    assert first.attachment is not None and second.attachment is not None
    assert int(first.attachment.data) != os.getpid()
    assert first.attachment.data == second.attachment.data  # one helper, reused
    assert first.attachment.picture is None and first.text == "picture 0"


def test_replies_without_pictures_pass_straight_through() -> None:
    replies = [Reply("a"), Reply("b", attachment=Attachment("x.json", b"{}"))]
    assert asyncio.run(Drawer().replies(replies)) is replies


def test_a_helper_that_dies_is_replaced_by_a_thread(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        [_, picture] = _draw(partial(_die_unless_in, os.getpid()))
    assert picture.attachment is not None
    assert picture.attachment.data == b"drawn in the bot"
    assert "BrokenProcessPool" in caplog.text


def test_a_failed_drawing_is_left_out_and_its_text_still_goes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        [_, picture] = _draw(partial(_fail))
    assert picture == Reply("picture 0")
    assert "ValueError" in caplog.text and "secret" not in caplog.text


def test_without_a_helper_process_pictures_are_drawn_in_threads(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    attempts = []

    def no_processes(*_args: object, **_kwargs: object) -> None:
        attempts.append(1)
        raise NotImplementedError("no sem_open on this platform")

    monkeypatch.setattr(drawing, "ProcessPoolExecutor", no_processes)
    with caplog.at_level(logging.WARNING):
        [_, first, second] = _draw(partial(_pid), partial(_pid))
    assert first.attachment is not None and second.attachment is not None
    assert int(first.attachment.data) == int(second.attachment.data) == os.getpid()
    assert attempts == [1]  # not tried again for every picture
    assert caplog.text.count("drawing in threads") == 1


def test_a_drawing_that_takes_too_long_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """The drawing below can only finish after the replies came back: the drawer gave up on it
    at its time limit instead of waiting (drawn in a thread here, so the test can release it)."""

    def no_processes(*_args: object, **_kwargs: object) -> None:
        raise NotImplementedError

    released = threading.Event()
    monkeypatch.setattr(drawing, "ProcessPoolExecutor", no_processes)
    monkeypatch.setattr(drawing, "DRAW_SECONDS", 0.3)
    slow = Attachment("p.png", b"", photo=True, picture=cast(Picture, partial(released.wait, 60)))

    async def run() -> tuple[list[Reply], bool]:
        drawer = Drawer(draw=call)
        try:
            replies = await drawer.replies([Reply("picture 0", attachment=slow)])
            return replies, released.is_set()
        finally:
            released.set()  # let the abandoned drawing's thread end
            drawer.shutdown()

    [picture], drawing_finished = asyncio.run(run())
    assert picture == Reply("picture 0")
    assert not drawing_finished


BOT = """
import asyncio, sys, time
from functools import partial
from bot.engine.events import Attachment, Reply
from bot.engine.pictures import Picture
from bot.transports.drawing import helper as drawing
from bot.transports.drawing.helper import Drawer
from tests.transports.test_drawing import _pid, call

async def main() -> None:
    picture = Attachment("p.png", b"", photo=True, picture=partial(_pid))
    [reply] = await Drawer(draw=call).replies([Reply("x", attachment=picture)])
    print(reply.attachment.data.decode(), flush=True)
    time.sleep(60)

asyncio.run(main())
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_the_helper_leaves_when_the_bot_is_killed_outright() -> None:
    root = Path(__file__).parents[2]
    bot = subprocess.Popen(
        [sys.executable, "-c", BOT], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert bot.stdout is not None
    helper = int(bot.stdout.readline())
    assert helper != bot.pid and _alive(helper)
    bot.kill()
    bot.wait()
    deadline = time.monotonic() + 10
    while _alive(helper) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(helper)
