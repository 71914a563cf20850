"""Playing Telegram towards a webhook: a small keep-alive HTTP client and a pool of connections
that re-sends an update whose POST failed, as Telegram does.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from bot.transports.telegram import SECRET_HEADER

WEBHOOK_SECRET = "bench_webhook-secret-0123456789abcdef"


HOOK_PATH = "/hook"


CONNECTIONS = 40  # Telegram's default webhook max_connections


POST_TIMEOUT = 60.0
POST_ATTEMPTS = 6


class Connection:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1:port (opened on first use)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        """The response status; raises OSError (or TimeoutError) when the exchange failed."""
        try:
            return await asyncio.wait_for(self._post(path, body, headers), timeout)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError):
            self.close()
            raise

    async def _post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self._reader, self._writer
        lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        lines += [f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionResetError("closed by the server")
        status = int(status_line.split()[1])
        length, close = 0, False
        while True:
            line = await reader.readline()
            if not line.strip():
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                close = True
            elif name == "transfer-encoding":
                raise ValueError("chunked answers are not expected here")
        if length:
            await reader.readexactly(length)
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader, self._writer = None, None


@dataclass
class Delivery:
    """How one update got to the bot: when it was first sent, when the 200 came, failures."""

    start: float
    end: float
    status: int
    failures: int


class Telegram:
    """Posts updates to the webhook over a fixed pool of connections; re-sends an update whose
    POST failed (non-200, reset, timeout), as Telegram does.

    A freed connection goes to the update that has waited longest, so which connection (and so
    which worker) carries a user's next update is left to chance, as with Telegram; a user is
    never pinned to the worker that served it last."""

    def __init__(self, port: int, connections: int) -> None:
        self.port = port
        self._all = [Connection(port) for _ in range(connections)]
        self._free: deque[Connection] = deque(self._all)
        self._waiting: deque[asyncio.Future[Connection]] = deque()
        self.headers = {"Content-Type": "application/json", SECRET_HEADER: WEBHOOK_SECRET}

    async def _acquire(self) -> Connection:
        if self._free and not self._waiting:
            return self._free.popleft()
        waiter: asyncio.Future[Connection] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        return await waiter

    def _release(self, connection: Connection) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        self._free.append(connection)

    async def deliver(self, update: dict[str, Any]) -> Delivery:
        body = json.dumps(update).encode()
        start: float | None = None
        failures, status = 0, 0
        for attempt in range(POST_ATTEMPTS):
            connection = await self._acquire()
            if start is None:
                start = time.monotonic()
            try:
                status = await connection.post(HOOK_PATH, body, self.headers, POST_TIMEOUT)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError):
                status = 0
            finally:
                self._release(connection)
            if status == 200:
                break
            failures += 1
            await asyncio.sleep(min(2.0, 0.1 * 2**attempt))
        assert start is not None
        return Delivery(start, time.monotonic(), status, failures)

    def close(self) -> None:
        for connection in self._all:
            connection.close()
