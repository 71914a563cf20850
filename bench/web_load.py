"""Load benchmark: simulated visitors of the web chat next to a bare aiohttp handler.

What is measured
----------------
Each run starts two servers, each in its own process, on loopback:

  (a) a bare aiohttp application: GET / answers a small fixed page, POST answers 303 back to /;
  (b) `civicbot web` itself (SQLite in a fresh data folder, the bundled library), with the
      per-session and new-session limits raised (simulated visitors are faster than people).

The same simulated visitors then play each server, many at once, each with its own cookie jar,
each waiting for the answer before its next step, as a browser without JavaScript does: open
the page, then POST a form and follow the 303 back to the page, per step. The chat visitors'
steps: /start, choose English, /lessons, open the first lesson, turn a card, a claim the
library answers, a claim it does not know, send that one to the editors, /review, /help. Each
form carries the page's form token. The bare server gets the same requests.

It reports, for each server: HTTP requests answered per second (wall time of the whole run),
p50/p95 of a request, and errors (any status other than 200 or 303, a failed connection, a
chat page with an apology, a step whose button was not on the page); then the ratio of the two
rates. Client and servers share the machine's cores.

    .venv/bin/python bench/web_load.py [--visitors 200] [--concurrency 40]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bot.testing.web import free_port

ROOT = Path(__file__).resolve().parent.parent
MATCHED = "5G towers cause COVID-19 and the government hides it"
UNMATCHED = "The mayor of Xanadu replaced every streetlight with candles on {n}"
APOLOGY = "something went wrong"
TOKEN = re.compile(r'name="csrf" value="([0-9a-f]+)"')
BUTTON = re.compile(r'name="p" value="([^"]+)">([^<]*)<')

BARE = """
import sys
from aiohttp import web
PAGE = '<!doctype html><title>x</title><form method="post" action="say">' \\
    '<input type="hidden" name="csrf" value="0123456789abcdef0123456789abcdef">' \\
    '<button name="p" value="x:0:abcdef">English, send to the editors</button></form>'
async def show(request):
    return web.Response(text=PAGE, content_type="text/html")
async def post(request):
    await request.post()
    return web.Response(status=303, headers={"Location": "./#last"})
app = web.Application()
app.add_routes([web.get("/", show), web.post("/say", post), web.post("/press", post)])
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
"""

# (form, what it sends): text for "say"; a label to look for on the page for "press"
STEPS: list[tuple[str, str]] = [
    ("say", "/start"),
    ("press", "English"),
    ("say", "/lessons"),
    ("press", ""),  # the first lesson offered
    ("press", ""),  # its first button (the next card)
    ("say", MATCHED),
    ("say", UNMATCHED),
    ("press", "editors"),
    ("say", "/review"),
    ("say", "/help"),
]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


async def _request(
    session: aiohttp.ClientSession, tally: Tally, method: str, url: str, **kwargs: object
) -> tuple[int, str]:
    started = time.perf_counter()
    try:
        async with session.request(method, url, allow_redirects=False, **kwargs) as response:  # type: ignore[arg-type]
            body = await response.text()
            status = response.status
    except aiohttp.ClientError as exc:
        tally.error(type(exc).__name__)
        return 0, ""
    tally.latencies.append(time.perf_counter() - started)
    if status not in (200, 303):
        tally.error(f"HTTP {status}")
    return status, body


async def visitor(base: str, number: int, tally: Tally, chat: bool) -> None:
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(base_url=base, cookie_jar=jar) as session:
        _, page = await _request(session, tally, "GET", "/")
        for form, what in STEPS:
            token = TOKEN.search(page)
            if token is None:
                tally.error("no form token")
                return
            data = {"csrf": token.group(1)}
            if form == "say":
                data["text"] = what.format(n=number)
            else:
                offered = [p for p, label in BUTTON.findall(page) if what in label]
                if not offered:
                    tally.error(f"no button {what!r}")
                    return
                data["p"] = offered[0]
            status, _ = await _request(session, tally, "POST", f"/{form}", data=data)
            if status != 303:
                return
            _, page = await _request(session, tally, "GET", "/")
            if chat and APOLOGY in page:
                tally.error("apology")


async def play(base: str, visitors: int, concurrency: int, chat: bool) -> tuple[Tally, float]:
    tally = Tally()
    gate = asyncio.Semaphore(concurrency)

    async def one(number: int) -> None:
        async with gate:
            await visitor(base, number, tally, chat)

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(visitors)))
    return tally, time.perf_counter() - started


def wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    import urllib.request

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"a server exited at start: {process.stderr.read()[-2000:]!r}")  # type: ignore[union-attr]
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("a server did not start")


def start_chat(folder: Path, port: int, visitors: int) -> subprocess.Popen[bytes]:
    config = folder / "civicbot.yaml"
    config.write_text(
        f"web:\n  port: {port}\n  session_burst: 1000\n  session_per_minute: 6000\n"
        f"  new_sessions_per_minute: {visitors * 2}\nlimits:\n  burst: 100000\n",
        encoding="utf-8",
    )
    env = {**os.environ, "XDG_DATA_HOME": str(folder / "data")}
    env.pop("CIVICBOT_DATABASE_URL", None)
    command = [sys.executable, "-m", "bot", "web", "--config", str(config)]
    return subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.PIPE)


def report(name: str, tally: Tally, seconds: float) -> float:
    count = len(tally.latencies)
    rate = count / seconds
    cuts = statistics.quantiles(tally.latencies, n=20) if count > 1 else [0.0] * 19
    errors = sum(tally.errors.values())
    print(
        f"{name:<22} {count:>6} requests  {rate:8.1f} req/s  "
        f"p50 {cuts[9] * 1000:6.1f} ms  p95 {cuts[18] * 1000:6.1f} ms  errors {errors}"
        + (f" {tally.errors}" if errors else "")
    )
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--visitors", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bare_port, chat_port = free_port(), free_port()
        bare = subprocess.Popen(
            [sys.executable, "-c", BARE, str(bare_port)], stderr=subprocess.PIPE
        )
        chat = start_chat(folder, chat_port, args.visitors)
        try:
            wait_for(bare_port, bare)
            wait_for(chat_port, chat)
            print(f"{args.visitors} visitors x {len(STEPS)} steps, {args.concurrency} at once")
            bare_tally, bare_time = asyncio.run(
                play(f"http://127.0.0.1:{bare_port}", args.visitors, args.concurrency, False)
            )
            chat_tally, chat_time = asyncio.run(
                play(f"http://127.0.0.1:{chat_port}", args.visitors, args.concurrency, True)
            )
        finally:
            for process in (bare, chat):
                process.terminate()
                process.wait(30)
        bare_rate = report("bare aiohttp handler", bare_tally, bare_time)
        chat_rate = report("civicbot web (SQLite)", chat_tally, chat_time)
        print(f"ratio: civicbot web / bare = {chat_rate / bare_rate:.3f}x")
        errors = sum(bare_tally.errors.values()) + sum(chat_tally.errors.values())
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
