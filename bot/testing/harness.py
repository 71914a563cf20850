"""Running the real transport (`serve`) in a background thread against the fake Bot API.

Tests stay synchronous: they queue updates on the fake, wait for the calls they expect, and
leave the `with` block, which stops the bot the way a signal would and waits for a clean exit.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from types import TracebackType
from typing import Any

from bot.config import Settings
from bot.engine.engine import Engine as BotEngine
from bot.engine.events import Incoming, InlineAnswer, Reply
from bot.service import Service
from bot.storage.keys import AddressBox
from bot.storage.privacy import Retention
from bot.testing.fakebotapi import TOKEN, FakeBotApi
from bot.transports.telegram import Engine, serve

SECRET_KEY = b"k" * 32
WEBHOOK_SECRET = "s3cret_Webhook-token_0123456789abc"
STOP_SECONDS = 15.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def settings_for(
    fake: FakeBotApi,
    webhook_port: int | None = None,
    admins: tuple[int, ...] = (),
    telegram: dict[str, Any] | None = None,
) -> Settings:
    """Settings that reach `fake`; `telegram` sets more of the telegram section (its `webhook`
    entries go into the webhook section)."""
    extra = dict(telegram or {})
    section: dict[str, Any] = {
        "base_url": fake.base_url,
        "base_file_url": fake.base_file_url,
        "admins": list(admins),
    }
    if webhook_port is not None:
        section["webhook"] = {
            "listen": "127.0.0.1",
            "port": webhook_port,
            "path": "/hook",
            "url": "https://bot.example.org/hook",
            **extra.pop("webhook", {}),
        }
    return Settings.model_validate({"telegram": section | extra})


class RunningBot:
    """`with RunningBot(fake, engine):` serves by polling (or webhook) for the block's duration."""

    def __init__(
        self,
        fake: FakeBotApi,
        engine: Engine,
        *,
        webhook_port: int | None = None,
        token: str = TOKEN,
        concurrency: int = 8,
        address_key: bytes | None = None,
        admins: tuple[int, ...] = (),
        telegram: dict[str, Any] | None = None,
    ) -> None:
        self.fake = fake
        self.engine = engine
        self.webhook_port = webhook_port
        self.settings = settings_for(fake, webhook_port, admins, telegram)
        self.address_key = address_key
        self.token = token
        self.concurrency = concurrency
        self.error: BaseException | None = None
        self._started = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # handed to the test thread
            self.error = exc
        finally:
            self._started.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._started.set()
        await serve(
            self.engine,
            self.settings,
            self.token,
            SECRET_KEY,
            webhook_secret=WEBHOOK_SECRET if self.webhook_port else None,
            stop=self._stop,
            concurrency=self.concurrency,
            poll_timeout=5.0,
            address_key=self.address_key,
            service=self._service(),
        )

    def _service(self) -> Service | None:
        """The service's jobs run where they could send: a real engine and an address key."""
        if self.address_key is None or not isinstance(self.engine, BotEngine):
            return None
        box = AddressBox(self.address_key)
        root = self.engine.content.library.root
        return Service(self.engine, self.engine.store, box, Retention(180, 180, 365, 730), root)

    def start(self) -> RunningBot:
        """Start, and return once the bot is receiving updates."""
        self._thread.start()
        ready = "setWebhook" if self.webhook_port else "getUpdates"
        deadline = time.monotonic() + 10
        while True:
            try:
                self.fake.wait_for(ready, answered=ready == "setWebhook", timeout=0.2)
            except AssertionError:
                if not self._thread.is_alive():
                    raise self.error or AssertionError("the bot stopped while starting") from None
                if time.monotonic() > deadline:
                    raise
            else:
                return self

    def stop(self) -> None:
        self._started.wait(5)
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(STOP_SECONDS)
        assert not self._thread.is_alive(), f"the bot did not stop within {STOP_SECONDS}s"
        if self.error is not None:
            raise self.error

    def __enter__(self) -> RunningBot:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class Recording:
    """Wraps any engine and records what the transport handed to it."""

    def __init__(self, inner: Engine) -> None:
        self.inner = inner
        self.seen: list[Incoming] = []
        self.inline_seen: list[tuple[str, str | None]] = []
        self._lock = threading.Lock()

    @property
    def languages(self) -> list[str]:
        return self.inner.languages

    @property
    def one_at_a_time(self) -> bool:
        return self.inner.one_at_a_time

    def handle(self, incoming: Incoming) -> list[Reply]:
        with self._lock:
            self.seen.append(incoming)
        return self.inner.handle(incoming)

    def inline(self, text: str, language: str | None) -> list[InlineAnswer]:
        with self._lock:
            self.inline_seen.append((text, language))
        return self.inner.inline(text, language)

    def command_menu(self, language: str) -> list[tuple[str, str]]:
        return self.inner.command_menu(language)

    def texts(self) -> list[str]:
        with self._lock:
            return [incoming.text for incoming in self.seen]

    def payloads(self) -> list[str | None]:
        with self._lock:
            return [incoming.payload for incoming in self.seen]
