"""Bot API requests over aiohttp: fields and uploads arrive as python-telegram-bot sends them,
timeouts and refused connections become python-telegram-bot's errors that say how far the
request got, proxies follow the environment."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import NetworkError, TimedOut

from bot.testing.fakebotapi import TOKEN, FakeBotApi, Person
from bot.transports.telegram._http import (
    AiohttpRequest,
    ConnectTimeoutError,
    NotSentError,
    ServerError,
    proxy_for,
    unsupported_proxy,
)


async def _with_bot(fake: FakeBotApi) -> None:
    bot = Bot(TOKEN, base_url=fake.base_url, request=AiohttpRequest(4))
    async with bot:
        await bot.send_message(42, "<b>Fake</b> &amp; true", parse_mode="HTML")
        await bot.send_photo(42, InputFile(b"\x89PNG picture", filename="chart.png"), caption="c")


def test_fields_and_uploads_reach_the_bot_api(fake_api: FakeBotApi) -> None:
    fake_api.add_chat(Person(42).chat())
    asyncio.run(_with_bot(fake_api))
    [message] = fake_api.calls("sendMessage")
    assert message.params["chat_id"] == 42
    assert message.params["text"] == "<b>Fake</b> &amp; true"
    [photo] = fake_api.calls("sendPhoto")
    assert photo.params["caption"] == "c"
    assert photo.params["photo"] == {"filename": "chart.png", "size": len(b"\x89PNG picture")}


async def _recording_server(seen: list[bytes]) -> tuple[asyncio.Server, int]:
    """Answers every request with a sent message; keeps each raw request (head and body)."""
    sent = {"message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"}}
    answer = json.dumps({"ok": True, "result": sent}).encode()

    async def record(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        seen.append(head + await reader.readexactly(length))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        writer.write(b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(answer) + answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(record, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def _send_with_keyboard(seen: list[bytes]) -> None:
    server, port = await _recording_server(seen)
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=AiohttpRequest(4))
    try:
        await bot.request.initialize()
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Дальше", callback_data="next:1")]])
        await bot.send_message(42, '{"not": "json"} — «текст»', reply_markup=markup)
        await bot.request.shutdown()
    finally:
        server.close()
        await server.wait_closed()


def test_parameters_go_as_one_json_body_with_nested_values_and_text_kept() -> None:
    seen: list[bytes] = []
    asyncio.run(_send_with_keyboard(seen))
    [request] = seen
    head, _, body = request.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in head.lower()
    params = json.loads(body.decode("utf-8"))
    assert params["chat_id"] == 42
    assert params["text"] == '{"not": "json"} — «текст»'  # a string, even when it looks like JSON
    assert params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Дальше", "callback_data": "next:1"}]]
    }


async def _silent_server() -> tuple[asyncio.Server, int]:
    async def never_answer(reader: asyncio.StreamReader, _writer: asyncio.StreamWriter) -> None:
        await reader.read(-1)

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def _call(url: str, request: AiohttpRequest) -> tuple[int, bytes]:
    await request.initialize()
    try:
        return await request.do_request(url, "POST")
    finally:
        await request.shutdown()


def test_a_server_that_never_answers_times_out() -> None:
    async def run() -> None:
        server, port = await _silent_server()
        request = AiohttpRequest(read_timeout=0.3)
        with pytest.raises(TimedOut) as caught:
            # The guard only keeps a broken timeout from hanging the suite; TimedOut must come
            # from the request's own read timeout, not from the guard (that would be TimeoutError).
            await asyncio.wait_for(_call(f"http://127.0.0.1:{port}/botX/getMe", request), 30)
        assert not isinstance(caught.value, NotSentError)  # the request had left
        server.close()

    asyncio.run(run())


def test_a_refused_connection_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the call: nobody listens
    with pytest.raises(NotSentError):
        asyncio.run(_call(f"http://127.0.0.1:{port}/botX/getMe", AiohttpRequest()))


def test_waiting_too_long_for_a_free_connection_is_a_connect_timeout() -> None:
    async def run() -> None:
        server, port = await _silent_server()
        request = AiohttpRequest(1, read_timeout=5, pool_timeout=0.2, connect_timeout=0.2)
        await request.initialize()
        url = f"http://127.0.0.1:{port}/botX/getMe"
        hanging = asyncio.create_task(request.do_request(url, "POST"))  # takes the only one
        await asyncio.sleep(0.1)
        with pytest.raises(ConnectTimeoutError) as caught:
            await asyncio.wait_for(request.do_request(url, "POST"), 30)
        assert isinstance(caught.value, TimedOut) and isinstance(caught.value, NotSentError)
        hanging.cancel()
        await request.shutdown()
        server.close()

    asyncio.run(run())


def test_a_5xx_answer_is_a_server_error_with_its_status(fake_api: FakeBotApi) -> None:
    fake_api.fail("getMe", "500")
    url = f"{fake_api.base_url}{TOKEN}/getMe"
    with pytest.raises(ServerError) as caught:
        asyncio.run(_call(url, AiohttpRequest()))
    assert caught.value.status == 500
    assert caught.value.message == "Internal Server Error"
    assert isinstance(caught.value, NetworkError) and not isinstance(caught.value, NotSentError)


def test_a_request_before_initialize_is_refused() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        asyncio.run(AiohttpRequest().do_request("http://127.0.0.1:9/botX/getMe", "POST"))


def test_proxies_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert proxy_for("https", "api.telegram.org") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    assert proxy_for("https", "api.telegram.org") == "http://proxy.example:3128"
    assert proxy_for("https", "localhost") is None
    assert proxy_for("http", "api.telegram.org") is None


def test_requests_go_through_the_proxy_the_environment_names(
    fake_api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", fake_api.url)  # the fake answers proxied requests too

    async def via_proxy() -> str | None:
        bot = Bot(TOKEN, base_url="http://api.telegram.invalid/bot", request=AiohttpRequest(2))
        async with bot:  # getMe, to a host that does not resolve: only the proxy can answer
            return bot.username

    assert asyncio.run(via_proxy()) is not None


def test_socks_proxies_are_named_as_unsupported(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALL_PROXY", "socks5://user:secret@127.0.0.1:1080")
    assert (
        unsupported_proxy("https://api.telegram.org/bot") == "socks5://user:secret@127.0.0.1:1080"
    )
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert unsupported_proxy("https://api.telegram.org/bot") is None
