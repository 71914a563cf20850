"""Delivery limits and webhook hardening, measured over the loopback fake Bot API.

1. A burst: 120 people send a message and 30 others an inline query at once; the bot runs with
   the default outgoing limit (30 a second). Figure: the most sends (calls with a chat_id, and
   inline answers) the fake received in any one second, and how long the burst took.
2. One person sends 300 inline queries as fast as a script can: how many were answered (the
   default per-person limit is 10 at once, then 1 a second).
3. The webhook with its default settings: how soon a request with a wrong secret is answered
   when it declares a 1 MiB body and sends none; how long a body trickled one byte every 0.2 s
   keeps its connection; the process's memory before and after 300 unauthenticated 1 MiB posts
   (bot, fake Bot API and the posting threads share the process).

    .venv/bin/python bench/delivery.py
"""

from __future__ import annotations

import contextlib
import html
import os
import socket
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine.events import Incoming, InlineAnswer, Reply  # noqa: E402
from bot.testing.fakebotapi import FakeBotApi, Person, inline_query, text_message  # noqa: E402
from bot.testing.harness import WEBHOOK_SECRET, RunningBot, free_port  # noqa: E402
from bot.transports.telegram import SECRET_HEADER  # noqa: E402

MESSAGES, INLINE, ONE_PERSON, FLOOD = 120, 30, 300, 300


class EchoEngine:
    """Answers every message with one line and every inline query with one article."""

    languages = ["en"]  # noqa: RUF012 - read-only, as the transport's protocol reads it
    one_at_a_time = False

    def handle(self, incoming: Incoming) -> list[Reply]:
        return [Reply(f"Received: {html.escape(incoming.text)}")]

    def inline(self, text: str, _language: str | None) -> list[InlineAnswer]:
        return [InlineAnswer("a1", f"About {text}", "", html.escape(text))]

    def command_menu(self, _language: str) -> list[tuple[str, str]]:
        return []


def burst() -> None:
    with FakeBotApi() as api, RunningBot(api, EchoEngine()):
        started = time.monotonic()
        for n in range(MESSAGES):
            api.push_message(text_message(Person(9000 + n), "a claim"))
        for n in range(INLINE):
            api.push_inline(inline_query(Person(20_000 + n), "vaccines"))
        api.wait_for("sendMessage", MESSAGES, timeout=120)
        api.wait_for("answerInlineQuery", INLINE, timeout=120)
        took = time.monotonic() - started
    print(f"burst: {MESSAGES} messages + {INLINE} inline answers in {took:.2f} s")
    print(f"  most sends in one second: {api.most_in_one_second()} (limit 30)")


def one_person_inline() -> None:
    with FakeBotApi() as api, RunningBot(api, EchoEngine()):
        started = time.monotonic()
        for n in range(ONE_PERSON):
            api.push_inline(inline_query(Person(4242), f"vaccines {n}"))
        api.wait_idle(quiet=1.0, timeout=60)
        answered = api.calls("answerInlineQuery")
    last = answered[-1].at - started if answered else 0.0
    print(f"inline: {ONE_PERSON} queries from one person, {len(answered)} answered")
    print(f"  the last answer {last:.1f} s after the first query")


def _head(port: int, length: int, secret: str) -> bytes:
    lines = [
        "POST /hook HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        f"Content-Length: {length}",
        f"{SECRET_HEADER}: {secret}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def _trickle(port: int) -> float:
    with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
        sock.sendall(_head(port, 100_000, WEBHOOK_SECRET))
        started = time.monotonic()
        while time.monotonic() - started < 60:
            try:
                sock.sendall(b" ")
                if sock.recv(100) == b"":
                    break
            except TimeoutError:
                continue
            except OSError:
                break
        return time.monotonic() - started


def _flood(port: int, count: int) -> None:
    body = b"x" * (1 << 20)
    for _ in range(count):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(_head(port, len(body), "not-the-secret"))
                with contextlib.suppress(OSError):  # hung up on, as it should be
                    sock.sendall(body)
                sock.recv(100)
        except OSError:
            continue


def webhook() -> None:
    port = free_port()
    with FakeBotApi() as api, RunningBot(api, EchoEngine(), webhook_port=port):
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            started = time.monotonic()
            sock.sendall(_head(port, 1 << 20, "not-the-secret"))
            first = sock.recv(100).split(b"\r\n")[0].decode()
            answered = time.monotonic() - started
        print(f"webhook: wrong secret, 1 MiB declared, none sent: {first!r}")
        print(f"  answered {answered * 1000:.1f} ms after the headers")
        print(f"  a body trickled a byte every 0.2 s was cut off after {_trickle(port):.1f} s")
        before = _rss_mb()
        started = time.monotonic()
        threads = [threading.Thread(target=_flood, args=(port, FLOOD // 10)) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.monotonic() - started
        print(
            f"  {FLOOD} unauthenticated 1 MiB posts in {took:.1f} s: "
            f"memory {before:.0f} MB before, {_rss_mb():.0f} MB after"
        )


def main() -> int:
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    burst()
    one_person_inline()
    webhook()
    return 0


if __name__ == "__main__":
    sys.exit(main())
