"""The threads blocking work runs in, off the event loop (the engine blocks on the database)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

ENGINE_THREADS = 8  # events handled at once where the database allows it (PostgreSQL)

_P = ParamSpec("_P")
_T = TypeVar("_T")

# How the service's jobs run a blocking call: in the engine's threads (a transport's
# `EngineThreads.call`) or, with nothing else to do meanwhile, right here.
Runner = Callable[..., Awaitable[Any]]


async def run_here(fn: Callable[..., Any], *args: Any) -> Any:
    """A runner for a caller with nothing else to do meanwhile (the terminal chat)."""
    return fn(*args)


class EngineThreads:
    """The threads engine calls run in, off the event loop (the engine blocks on the database).

    With several, different people are served at once while one waits on PostgreSQL. With an
    engine that serves one event at a time (SQLite has one writer), a single thread does all
    engine work: more would only wait for SQLite's lock and contend for the interpreter.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="engine")

    async def call(self, fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))

    async def shutdown(self) -> None:
        """Drop the calls still waiting, let the running ones finish (they may be committing)."""
        await asyncio.to_thread(self._pool.shutdown, wait=True, cancel_futures=True)
