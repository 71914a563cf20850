"""The web chat served in a background thread, for tests and the load benchmark."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web

from bot.testing.harness import free_port

__all__ = ["free_port", "serving"]


@contextmanager
def serving(app: web.Application, port: int | None = None) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 from its own thread and event loop; yields its base URL."""
    port = port or free_port()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        started.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=run, name="web-chat", daemon=True)
    thread.start()
    if not started.wait(30):
        raise RuntimeError("the web chat did not start")
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
