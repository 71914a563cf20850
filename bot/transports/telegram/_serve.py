"""The Telegram transport: the real python-telegram-bot `Application`, by polling or webhook.

This package's telegram_* modules are the only code that imports `telegram`. This one assembles
the `Application` (rate limits, retries, per-chat ordering) and runs its life: check the token,
register the command menu per language, serve until SIGTERM/SIGINT or `stop`, and shut down
cleanly, acknowledging the updates already handled so none comes back after a restart.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import re
import signal
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from telegram import Bot, BotCommand, Update
from telegram.error import Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    InlineQueryHandler,
    MessageHandler,
    PollAnswerHandler,
    PollHandler,
    filters,
)

from bot.config import Settings, TelegramSettings
from bot.service import Service, watch_content
from bot.service.threads import EngineThreads
from bot.storage.keys import AddressBox
from bot.transports.drawing.helper import Drawer
from bot.transports.telegram._classroom import ClassroomSender
from bot.transports.telegram._flow import ChatOrderedProcessor, PersonRate
from bot.transports.telegram._handlers import CONCURRENCY, Engine, Handlers, engine_threads
from bot.transports.telegram._html import plain_text
from bot.transports.telegram._http import AiohttpRequest, unsupported_proxy
from bot.transports.telegram._incoming import without_pressed_keyboard
from bot.transports.telegram._outgoing import OutgoingLimiter
from bot.transports.telegram._render import COMMAND_DESCRIPTION_CHARS

if TYPE_CHECKING:
    from bot.transports.telegram._webhook import WebhookServer

__all__ = [
    "ALLOWED_UPDATES",
    "Engine",
    "StartError",
    "TokenRejectedError",
    "build_application",
    "register_commands",
    "serve",
]

log = logging.getLogger(__name__)

# Polls and their answers: class quizzes (see _classroom).
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
    Update.POLL,
    Update.POLL_ANSWER,
]
POLL_TIMEOUT = 10.0
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE = re.compile(r"[a-z]{2}")

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class StartError(Exception):
    """The bot could not start; the message is safe to show (it holds no secret)."""


class TokenRejectedError(StartError):
    """The Bot API refused the token."""


def build_application(
    handlers: Handlers, telegram: TelegramSettings, token: str, *, polling: bool, concurrency: int
) -> AnyApplication:
    """The `Application`, wired to the handlers; without an updater for webhook mode."""
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(telegram.base_url)
        .base_file_url(telegram.base_file_url)
        .rate_limiter(OutgoingLimiter(per_second=telegram.overall_per_second))
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connections=1))
        .concurrent_updates(ChatOrderedProcessor(concurrency))
        .job_queue(None)
    )
    if not polling:
        builder = builder.updater(None)
    app: AnyApplication = builder.build()
    text = filters.UpdateType.MESSAGE & (
        filters.TEXT | filters.CAPTION | filters.PHOTO | filters.Document.IMAGE
    )
    app.add_handler(MessageHandler(text, handlers.on_message))
    app.add_handler(CallbackQueryHandler(handlers.on_callback))
    app.add_handler(InlineQueryHandler(handlers.on_inline))
    app.add_handler(PollHandler(handlers.on_poll))
    app.add_handler(PollAnswerHandler(handlers.on_poll_answer))
    app.add_error_handler(handlers.on_error)
    return app


async def serve(
    engine: Engine,
    settings: Settings,
    token: str,
    secret_key: bytes,
    *,
    webhook_secret: str | None = None,
    stop: asyncio.Event | None = None,
    concurrency: int = CONCURRENCY,
    poll_timeout: float = POLL_TIMEOUT,
    address_key: bytes | None = None,
    service: Service | None = None,
    shared_port: bool = False,
    set_webhook: bool = True,
) -> None:
    """Serve until `stop` is set (by default: until SIGTERM or SIGINT).

    With `webhook_secret`, updates arrive at the webhook server configured in
    `settings.telegram.webhook`; without it, by long polling.
    """
    # Opt in to python-telegram-bot's coming time-period type now; the old one warns on every 429.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    stop = stop or asyncio.Event()
    proxy = unsupported_proxy(settings.telegram.base_url)
    if proxy is not None:
        scheme = proxy.partition(":")[0]
        raise StartError(f"the proxy set in the environment is {scheme}; only HTTP proxies work")
    box = AddressBox(address_key) if address_key else None
    threads = engine_threads(engine, concurrency)
    drawer = Drawer()
    inline = settings.telegram.inline
    handlers = Handlers(
        engine, secret_key, box, threads, drawer, PersonRate(inline.burst, inline.per_second)
    )
    app = build_application(
        handlers, settings.telegram, token, polling=webhook_secret is None, concurrency=concurrency
    )
    with _stopped_by_signals(stop):
        await _initialize(app)
        server: WebhookServer | None = None
        try:
            await register_commands(app.bot, engine, settings.locale.default)
            if webhook_secret is None:
                await _start_polling(app, poll_timeout)
            else:
                server = await _start_webhook(
                    app, settings.telegram, webhook_secret, shared_port, set_webhook
                )
            log.info("serving as @%s by %s", app.bot.username, "webhook" if server else "polling")
            if service is not None:
                await _run_service(service, app.bot, settings, stop, threads)
            await stop.wait()
        finally:
            try:
                await _shut_down(app, server)
            finally:
                await threads.shutdown()
                drawer.shutdown()
    log.info("stopped")


async def _run_service(
    service: Service, bot: Bot, settings: Settings, stop: asyncio.Event, threads: EngineThreads
) -> None:
    """The service's jobs, sending through this bot; the content folder is watched."""
    sender = ClassroomSender(bot, settings.telegram.admins)
    root = service.content_root

    def watch() -> Awaitable[None]:
        assert root is not None
        return watch_content(service, sender, root, stop)

    await service.run(sender, stop, threads.call, watch=watch if root is not None else None)


async def _initialize(app: AnyApplication) -> None:
    try:
        await app.initialize()
    except (InvalidToken, Forbidden):
        raise TokenRejectedError("the Bot API rejected the token") from None
    except NetworkError as exc:
        raise StartError(f"cannot reach the Bot API ({type(exc).__name__})") from None


async def _start_polling(app: AnyApplication, poll_timeout: float) -> None:
    assert app.updater is not None
    await app.updater.start_polling(
        timeout=dt.timedelta(seconds=poll_timeout),
        allowed_updates=ALLOWED_UPDATES,
        error_callback=_polling_failed,
    )
    await app.start()


def _polling_failed(exc: TelegramError) -> None:
    log.warning("fetching updates failed (%s); retrying", type(exc).__name__)


async def _start_webhook(
    app: AnyApplication,
    telegram: TelegramSettings,
    secret: str,
    shared_port: bool = False,
    set_webhook: bool = True,
) -> WebhookServer:
    webhook = telegram.webhook
    if not webhook.url:
        raise StartError("telegram.webhook.url is not set")
    try:  # Tornado comes with python-telegram-bot's "webhooks" extra; polling does not need it
        from bot.transports.telegram._webhook import WebhookServer
    except ImportError:
        raise StartError("webhook mode needs python-telegram-bot[webhooks] installed") from None

    async def accept(data: dict[str, Any]) -> bool:
        """Handle the update before answering: Telegram re-sends an update that got no 2xx, so
        a worker that dies mid-update loses nothing (and a re-sent one is handled once)."""
        try:
            update = Update.de_json(without_pressed_keyboard(data), app.bot)
        except Exception:  # whatever is not an update is refused (400), never fatal
            return False
        await app.update_processor.process_update(update, app.process_update(update))
        return True

    server = WebhookServer(webhook, secret, accept, reuse_port=shared_port)
    try:
        await server.start()
    except OSError as exc:
        where = f"{webhook.listen}:{webhook.port}"
        raise StartError(f"cannot listen on {where} ({exc.strerror})") from None
    await app.start()
    if not set_webhook:
        return server  # another worker of the same bot registers the webhook
    try:
        await app.bot.set_webhook(webhook.url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
    except TelegramError as exc:
        await server.stop()
        raise StartError(f"the Bot API refused the webhook ({type(exc).__name__})") from None
    return server


async def _shut_down(app: AnyApplication, server: WebhookServer | None) -> None:
    if app.updater is not None and app.updater.running:
        await app.updater.stop()  # acknowledges the handled updates with one last getUpdates
    if server is not None:
        await server.stop()
    if app.running:
        await app.stop()  # finishes the updates already queued
    await app.shutdown()


async def register_commands(bot: Bot, engine: Engine, default_language: str) -> None:
    """The command menu, per language Telegram can tell apart, and a default for the rest."""
    languages: list[str | None] = [None, *engine.languages]
    for language in languages:
        if language is not None and not _LANGUAGE.fullmatch(language):
            continue  # Telegram keys menus by two-letter codes only; users get the default
        menu = await asyncio.to_thread(engine.command_menu, language or default_language)
        commands = [
            BotCommand(name.lstrip("/"), plain_text(description)[:COMMAND_DESCRIPTION_CHARS])
            for name, description in menu
            if _COMMAND.fullmatch(name.lstrip("/")) and description.strip()
        ]
        if len(commands) < len(menu):
            log.warning("%d commands skipped: invalid names", len(menu) - len(commands))
        try:
            await bot.set_my_commands(commands, language_code=language)
        except TelegramError as exc:
            log.warning("setting the command menu failed (%s)", type(exc).__name__)


@contextmanager
def _stopped_by_signals(stop: asyncio.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set `stop`, when this runs in the main thread of a Unix process."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # not the main thread, or not Unix: the caller stops us through `stop`
        installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
