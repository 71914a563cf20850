"""Webhook mode: registered with Telegram with the secret; a post with the right secret is handled,
a missing or wrong one gets 403 and reaches nothing; a repeated update is handled once."""

from __future__ import annotations

import asyncio
import hmac
import json
import socket
import time
from typing import Any

import httpx
import pytest

from bot.testing.fakebotapi import TOKEN, FakeBotApi, Person, callback_query, text_message
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


def _head(port: int, length: int, secret: str | None) -> bytes:
    lines = [
        "POST /hook HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        f"Content-Length: {length}",
    ]
    if secret is not None:
        lines.append(f"{SECRET_HEADER}: {secret}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _read_to_end(sock: socket.socket) -> bytes:
    """What the server sends until it closes the connection (a timeout fails the test)."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


@pytest.mark.parametrize("secret", [None, "x" + WEBHOOK_SECRET])
def test_a_wrong_secret_is_refused_before_the_body_is_sent(
    fake_api: FakeBotApi, fake_engine: FakeEngine, secret: str | None
) -> None:
    port = free_port()
    with (
        RunningBot(fake_api, fake_engine, webhook_port=port),
        socket.create_connection(("127.0.0.1", port), timeout=5) as sock,
    ):
        sock.sendall(_head(port, 200_000, secret))  # headers only: the body never comes
        answer = _read_to_end(sock)
    assert answer.startswith(b"HTTP/1.1 403 ")
    assert fake_engine.seen == []


def test_a_body_over_the_cap_gets_413_unread_and_one_under_it_is_handled(
    fake_api: FakeBotApi, fake_engine: FakeEngine
) -> None:
    port = free_port()
    cap = 256 * 1024
    fake_api.add_chat(ANA.chat())
    padded = json.dumps(_update(7, "padded")).encode()
    padded += b" " * (cap - len(padded))
    with RunningBot(fake_api, fake_engine, webhook_port=port):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(_head(port, cap + 1, WEBHOOK_SECRET))
            answer = _read_to_end(sock)
        assert _post(port, padded, WEBHOOK_SECRET).status_code == 200
        fake_api.wait_for("sendMessage")
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert [incoming.text for incoming in fake_engine.seen] == ["padded"]


def test_a_trickled_body_and_an_idle_connection_are_cut_off(
    fake_api: FakeBotApi, fake_engine: FakeEngine
) -> None:
    port = free_port()
    timeouts = {"webhook": {"body_timeout": 1.0, "idle_timeout": 1.0}}
    with RunningBot(fake_api, fake_engine, webhook_port=port, telegram=timeouts):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            started = time.monotonic()
            assert _read_to_end(sock) == b""  # never sent a thing
            idle = time.monotonic() - started
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
            sock.sendall(_head(port, 1000, WEBHOOK_SECRET))
            started = time.monotonic()
            trickled = None
            while trickled is None and time.monotonic() - started < 10:
                try:
                    sock.sendall(b" ")  # one byte every 0.2 s
                    if sock.recv(1024) == b"":
                        trickled = time.monotonic() - started
                except TimeoutError:
                    continue
                except OSError:  # reset by the server
                    trickled = time.monotonic() - started
    assert 0.8 <= idle <= 3.0
    assert trickled is not None and trickled <= 3.0
    assert fake_engine.seen == []


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,
        b'{"update_id": 1, "message": ' + b"[" * 100_000,
        b'{"update_id": 1' + b"0" * 5000 + b"}",
    ],
    ids=["deep-array", "deep-update", "5000-digit-id"],
)
def test_bodies_too_deep_or_too_long_to_decode_get_400(
    fake_api: FakeBotApi, fake_engine: FakeEngine, body: bytes
) -> None:
    port = free_port()
    with RunningBot(fake_api, fake_engine, webhook_port=port):
        assert _post(port, body, WEBHOOK_SECRET).status_code == 400
    assert fake_engine.seen == []


@pytest.mark.parametrize("update_id", [10**80, 2**63, -1, True, "5", 5.0, None])
def test_an_update_id_the_database_cannot_hold_gets_400(
    fake_api: FakeBotApi, fake_engine: FakeEngine, update_id: object
) -> None:
    port = free_port()
    fake_api.add_chat(ANA.chat())
    with RunningBot(fake_api, fake_engine, webhook_port=port):
        refused = {"update_id": update_id, "message": text_message(ANA, "refused")}
        assert _post(port, refused, WEBHOOK_SECRET).status_code == 400
        assert _post(port, _update(2**63 - 1, "largest"), WEBHOOK_SECRET).status_code == 200
        fake_api.wait_for("sendMessage")
    assert [incoming.text for incoming in fake_engine.seen] == ["largest"]


def test_a_press_through_the_webhook_edits_the_pressed_message(
    fake_api: FakeBotApi, fake_engine: FakeEngine
) -> None:
    port = free_port()
    fake_api.add_chat(ANA.chat())
    with RunningBot(fake_api, fake_engine, webhook_port=port):
        assert _post(port, _update(200, "/start"), WEBHOOK_SECRET).status_code == 200
        [welcome] = fake_api.wait_for("sendMessage")
        shown = fake_api.message(ANA.id, welcome.result["message_id"])
        assert shown["reply_markup"]["inline_keyboard"]  # the keyboard arrives with the press
        press = {"update_id": 201, "callback_query": callback_query(ANA, "lesson:l1", shown)}
        assert _post(port, press, WEBHOOK_SECRET).status_code == 200
        fake_api.wait_idle()
    [edit] = fake_api.calls("editMessageText")
    assert (edit.params["message_id"], edit.params["text"]) == (
        shown["message_id"],
        "<b>Card 1</b>",
    )
    assert len(fake_api.calls("answerCallbackQuery")) == 1  # the press is answered too
