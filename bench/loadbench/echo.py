"""The lightest possible bot to compare with (a python-telegram-bot echo bot on a webhook), and
the fake Bot API's own ceiling measured from another process.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benchkit import ROOT
from benchkit.civicbot import webhook_env
from benchkit.fake import BenchFake
from benchkit.processes import BotProcess
from benchkit.webhook import HOOK_PATH, WEBHOOK_SECRET, Connection

from bot.testing.fakebotapi import TOKEN, FakeBotApi
from bot.transports.telegram import SECRET_HEADER
from loadbench.users import Material

# The echo bot and the hammer run as `bench/load.py --serve-echo` and `bench/load.py --hammer`.
ENTRY = ROOT / "bench" / "load.py"
HAMMER_CHAT = 42
CONCURRENCY = 8  # updates handled at once per process, civicbot's default, for the echo bot too


def start_echo(fake: FakeBotApi, port: int, home: Path, more_env: dict[str, str]) -> BotProcess:
    command = [sys.executable, str(ENTRY), "--serve-echo", str(port), "--api", fake.base_url]
    env = webhook_env(home, "", **more_env)
    return BotProcess("echo", command, env, home / "echo.log").launch()


def serve_echo(port: int, base_url: str) -> int:
    """A minimal python-telegram-bot echo bot on a webhook that answers 200 once the update
    is handled (like civicbot's), no rate limiter, 8 updates at a time."""
    asyncio.run(_serve_echo(port, base_url))
    return 0


async def _serve_echo(port: int, base_url: str) -> None:
    from telegram import Update
    from telegram.ext import (
        ApplicationBuilder,
        CallbackQueryHandler,
        ContextTypes,
        MessageHandler,
        filters,
    )
    from tornado.httpserver import HTTPServer
    from tornado.web import Application, RequestHandler

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(base_url)
        .updater(None)
        .concurrent_updates(CONCURRENCY)
        .build()
    )

    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None and update.message.text is not None:
            await context.bot.send_message(update.message.chat_id, update.message.text)

    async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        if query.message is not None:
            await context.bot.send_message(query.message.chat.id, f"pressed {query.data}")

    app.add_handler(MessageHandler(filters.TEXT, on_message))
    app.add_handler(CallbackQueryHandler(on_callback))

    class Hook(RequestHandler):
        async def post(self) -> None:
            if self.request.headers.get(SECRET_HEADER) != WEBHOOK_SECRET:
                self.set_status(403)
                return
            update = Update.de_json(json.loads(self.request.body), app.bot)
            await app.update_processor.process_update(update, app.process_update(update))
            self.set_status(200)

    await app.initialize()
    await app.start()
    server = HTTPServer(Application([(HOOK_PATH, Hook)], log_function=lambda _h: None))
    server.listen(port, address="127.0.0.1")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.stop()
    await app.stop()
    await app.shutdown()


# -- the fake's own ceiling -------------------------------------------------------------------


def hammer(port: int) -> int:
    """Child process: send the sendMessage described on stdin as fast as possible."""
    spec = json.loads(sys.stdin.read())
    result = asyncio.run(_hammer(port, spec))
    print(json.dumps(result))
    return 0


async def _hammer(port: int, spec: dict[str, Any]) -> dict[str, float]:
    body = urlencode(spec["params"]).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    path = f"/bot{TOKEN}/sendMessage"
    done = [0, 0]
    deadline = time.monotonic() + float(spec["seconds"])

    async def worker() -> None:
        connection = Connection(port)
        while time.monotonic() < deadline:
            try:
                status = await connection.post(path, body, headers, 10.0)
            except (OSError, TimeoutError, asyncio.IncompleteReadError):
                status = 0
            done[0 if status == 200 else 1] += 1
        connection.close()

    start = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(int(spec["connections"]))))
    return {"calls": done[0], "failed": done[1], "seconds": time.monotonic() - start}


def fake_ceiling(material: Material, seconds: float) -> dict[str, float]:
    """sendMessage calls/s the fake answers when another process hammers it (16 connections):
    a short plain text (what the echo bot sends) and a civicbot-like HTML reply with buttons."""
    keyboard = {
        "inline_keyboard": [
            [{"text": "Yes, helpful", "callback_data": "fb:y-x"}],
            [{"text": "Not really", "callback_data": "fb:n-x"}],
        ]
    }
    kinds = {
        "plain": {"chat_id": HAMMER_CHAT, "text": "pressed next:3"},
        "html": {
            "chat_id": HAMMER_CHAT,
            "text": material.sample_reply,
            "parse_mode": "HTML",
            "reply_markup": json.dumps(keyboard),
            "link_preview_options": json.dumps({"is_disabled": True}),
        },
    }
    rates = {}
    for kind, params in kinds.items():
        with BenchFake() as fake:
            fake.add_chat({"id": HAMMER_CHAT, "type": "private", "first_name": "H"})
            port = int(fake.url.rsplit(":", 1)[1])
            spec = {"params": params, "seconds": seconds, "connections": 16}
            out = subprocess.run(
                [sys.executable, str(ENTRY), "--hammer", str(port)],
                input=json.dumps(spec),
                capture_output=True,
                text=True,
                cwd=ROOT,
                check=True,
                timeout=seconds + 60,
            )
            result = json.loads(out.stdout)
            rates[kind] = result["calls"] / result["seconds"]
    return rates
