"""Webhook mode: registered with Telegram with the secret; a post with the right secret is handled,
a missing or wrong one gets 403 and reaches nothing; a repeated update is handled once."""

from __future__ import annotations

import asyncio
import hmac
import json
import socket
from typing import Any

import httpx
import pytest

from bot.testing.fakebotapi import TOKEN, FakeBotApi, Person, text_message
from bot.testing.harness import (
    SECRET_KEY,
    WEBHOOK_SECRET,
    Recording,
    RunningBot,
    free_port,
    settings_for,
)
from bot.transports.telegram._serve import StartError, serve
from bot.transports.telegram._webhook import SECRET_HEADER, secret_matches
from tests.transports.conftest import LogCapture
from tests.transports.fake_engine import FakeEngine

ANA = Person(31337)


def _post(port: int, body: Any, secret: str | None, path: str = "/hook") -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(f"http://127.0.0.1:{port}{path}", content=content, headers=headers, timeout=5)


def _update(update_id: int, text: str) -> dict[str, Any]:
    return {"update_id": update_id, "message": text_message(ANA, text)}


def test_webhook_checks_the_secret_and_handles_each_update_once(
    fake_api: FakeBotApi, fake_engine: FakeEngine, bot_log: LogCapture
) -> None:
    engine = Recording(fake_engine)
    port = free_port()
    fake_api.add_chat(ANA.chat())
    with RunningBot(fake_api, engine, webhook_port=port):
        webhook = fake_api.webhook
        assert webhook["url"] == "https://bot.example.org/hook"
        assert webhook["secret_token"] == WEBHOOK_SECRET
        assert webhook["allowed_updates"] == [
            "message",
            "callback_query",
            "inline_query",
            "poll",  # class quizzes: counts, and votes where a leaderboard was asked for
            "poll_answer",
        ]

        assert _post(port, _update(100, "no secret"), None).status_code == 403
        assert _post(port, _update(101, "wrong secret"), "x" + WEBHOOK_SECRET).status_code == 403
        assert _post(port, _update(102, "short secret"), WEBHOOK_SECRET[:-1]).status_code == 403
        assert _post(port, b"{not json", WEBHOOK_SECRET).status_code == 400
        assert _post(port, [1, 2], WEBHOOK_SECRET).status_code == 400
        assert _post(port, _update(103, "hello"), WEBHOOK_SECRET, "/elsewhere").status_code == 404

        assert _post(port, _update(104, "right secret"), WEBHOOK_SECRET).status_code == 200
        assert _post(port, _update(104, "right secret"), WEBHOOK_SECRET).status_code == 200
        assert _post(port, _update(105, "and again"), WEBHOOK_SECRET).status_code == 200
        fake_api.wait_for("sendMessage", count=2)
        fake_api.wait_idle()
    assert engine.texts() == ["right secret", "and again"]
    assert not fake_api.calls("getUpdates", faults=True), "webhook and polling are exclusive"
    bot_log.assert_clean("no secret", "wrong secret", "right secret", str(ANA.id))


def test_the_secret_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return a == b

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert secret_matches("abc", "abc")
    assert not secret_matches("abd", "abc")
    assert not secret_matches(None, "abc")
    assert not secret_matches("", "abc")
    assert len(compared) == 4
    assert {len(a) for a, _ in compared} == {32}  # digests: the secret's length is not leaked


def test_a_busy_port_is_a_clear_start_error(fake_api: FakeBotApi, fake_engine: FakeEngine) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        settings = settings_for(fake_api, webhook_port=busy.getsockname()[1])
        run = serve(fake_engine, settings, TOKEN, SECRET_KEY, webhook_secret=WEBHOOK_SECRET)
        with pytest.raises(StartError, match=r"cannot listen on 127\.0\.0\.1"):
            asyncio.run(run)
    assert not fake_api.calls("setWebhook")
