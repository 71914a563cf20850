"""civicbot served by webhook (`civicbot run --webhook`, one process or several workers) for
the load and broadcast benchmarks, with its replies going to the fake Bot API."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from benchkit.processes import BotProcess, bot_env, listening_sockets
from benchkit.webhook import HOOK_PATH, WEBHOOK_SECRET
from bot.testing.fakebotapi import FakeBotApi
from bot.testing.postgres import private_schema

SECRET_KEY = "bench-pseudonym-key-0123456789abcdef0123456789"
READY_SECONDS = 90.0
REDIS_URL = "redis://127.0.0.1:6379/0"


def webhook_env(home: Path, address_key: str, **more: str) -> dict[str, str]:
    """The environment of a bot on the benchmark's webhook (the echo bot's too)."""
    return bot_env(
        home,
        SECRET_KEY,
        LANG=os.environ.get("LANG", "C.UTF-8"),
        XDG_DATA_HOME=str(home / "data"),
        CIVICBOT_WEBHOOK_SECRET=WEBHOOK_SECRET,
        CIVICBOT_ADDRESS_KEY=address_key,
        MPLBACKEND="Agg",
        **more,
    )


def write_config(
    path: Path,
    fake: FakeBotApi,
    port: int,
    database_url: str,
    *,
    admins: Sequence[int] = (),
    outgoing_per_second: float = 25.0,
    redis_url: str = REDIS_URL,
) -> None:
    settings = {
        "telegram": {
            "base_url": fake.base_url,
            "base_file_url": fake.base_file_url,
            "overall_per_second": 0.0,
            "admins": list(admins),
            "webhook": {
                "listen": "127.0.0.1",
                "port": port,
                "path": HOOK_PATH,
                "url": "https://bench.example.org" + HOOK_PATH,
            },
        },
        "database": {"url": database_url},
        "limits": {"burst": 100_000, "outgoing_per_second": outgoing_per_second},
        # Workers share claims waiting for "send to the editors" through Redis.
        "redis": {"url": redis_url},
    }
    _forget_pending_claims(redis_url)  # nothing left over from an earlier setup of the same run
    path.write_text(json.dumps(settings, indent=2), encoding="utf-8")  # JSON is YAML


def _forget_pending_claims(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter("civicbot:pending:*"):
        client.delete(key)


def start_civicbot(
    name: str,
    config: Path,
    home: Path,
    workers: int,
    address_key: str,
    more_env: dict[str, str] | None = None,
) -> BotProcess:
    command = [sys.executable, "-m", "bot", "run", "--webhook", "--config", str(config)]
    if workers > 1:
        command += ["--workers", str(workers)]
    env = webhook_env(home, address_key, **(more_env or {}))
    return BotProcess(name, command, env, home / f"{name}.log", workers).launch()


def wait_ready(bot: BotProcess, port: int, seconds: float = READY_SECONDS) -> None:
    """Until every worker listens: connections opened earlier would all go to the first one."""
    deadline = time.monotonic() + seconds
    while listening_sockets(port) < bot.workers:
        if bot.running.poll() is not None:
            raise RuntimeError(f"{bot.name} exited while starting:\n{bot.log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{bot.name} did not start within {seconds:.0f}s")
        time.sleep(0.1)
    time.sleep(0.5)


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A private schema, upgraded, dropped afterwards."""
    from bot.storage import db

    with private_schema("bench") as url:
        engine = db.open_engine(url)
        db.upgrade(engine)
        engine.dispose()
        yield url
