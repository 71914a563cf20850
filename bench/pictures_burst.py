"""Does the bot keep answering text while it reads pictures?

The real transport (polling the fake Bot API on loopback) and the real engine on SQLite with the
bundled library. First --texts people each send a claim, one after another, with nothing else
going on: the time from the update's arrival to the bot's answer (p50/p95). Then --pictures
other people send a screenshot each at once (each of a bundled fact-check's claim), and while
those are read the same texts are sent again: their answer times during the burst, each
picture's time to its answer, and the share answered with their claim's fact-check.

    .venv/bin/python bench/pictures_burst.py [--pictures 20] [--texts 30] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Settings, bundled_content
from bot.engine.content import Content
from bot.engine.engine import Engine
from bot.library.loader import load_library_or_raise
from bot.storage import db
from bot.storage.unit import Store
from bot.testing.fakebotapi import (
    Call,
    FakeBotApi,
    Person,
    photo_message,
    text_message,
    visible_text,
)
from bot.testing.harness import RunningBot
from bot.testing.pictures import screenshot
from bot.transports.drawing.reading import find_tesseract

CLAIM = "5G mobile networks spread the coronavirus"


def _engine(folder: Path) -> Engine:
    database = db.open_engine(f"sqlite:///{folder / 'bot.sqlite3'}")
    db.upgrade(database)
    library = load_library_or_raise(bundled_content())
    content = Content.build(library, "en", Settings().matching.thresholds)
    return Engine(Store(database), content)


def _answered(fake: FakeBotApi, chat_id: int, since: float, timeout: float = 120.0) -> float:
    """Seconds from `since` to the bot's first message to `chat_id`."""
    return _answer(fake, chat_id, timeout).at - since


def _answer(fake: FakeBotApi, chat_id: int, timeout: float = 120.0) -> Call:
    [call] = fake.wait_for(
        "sendMessage", where=lambda c: c.params.get("chat_id") == chat_id, timeout=timeout
    )
    return call


def _texts(fake: FakeBotApi, first_id: int, count: int) -> list[float]:
    took = []
    for number in range(count):
        person = Person(first_id + number, f"T{number}", "en")
        started = time.monotonic()
        fake.push_message(text_message(person, CLAIM))
        took.append(_answered(fake, person.id, started))
    return took


def run(pictures: int, texts: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder, FakeBotApi() as fake:
        os.environ["XDG_DATA_HOME"] = str(Path(folder) / "data")
        engine = _engine(Path(folder))
        # Each screenshot shows a bundled English fact-check's claim.
        library = engine.content.library
        claims = [fc.claim for fc in library.factchecks.values() if fc.language == "en"]
        for number in range(pictures):
            fake.add_file(f"shot-{number}", screenshot(claims[number % len(claims)], number))
        with RunningBot(fake, engine):
            _texts(fake, 10_000, 3)  # warm up: first queries, helper process started below
            warm = Person(19_999, "W", "en")
            fake.add_file("warm", screenshot(claims[0], 99))
            fake.push_message(photo_message(warm, file_id="warm"))
            _answered(fake, warm.id, time.monotonic())
            quiet = _texts(fake, 20_000, texts)
            burst_started = time.monotonic()
            senders = [Person(30_000 + n, f"P{n}", "en") for n in range(pictures)]
            for number, person in enumerate(senders):
                fake.push_message(photo_message(person, file_id=f"shot-{number}"))
            during = _texts(fake, 40_000, texts)
            read = [_answered(fake, p.id, burst_started) for p in senders]
            right = sum(
                claims[n % len(claims)][:40] in visible_text(_answer(fake, p.id).params["text"])
                for n, p in enumerate(senders)
            )
            load = os.getloadavg()[0]
    return {
        "text_quiet_p50": statistics.median(quiet),
        "text_quiet_p95": _p95(quiet),
        "text_during_burst_p50": statistics.median(during),
        "text_during_burst_p95": _p95(during),
        "pictures": pictures,
        "picture_answer_p50": statistics.median(read),
        "picture_answer_max": max(read),
        "pictures_answered_right": right / pictures,
        "load_average": load,
    }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pictures", type=int, default=20)
    parser.add_argument("--texts", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if find_tesseract() is None:
        raise SystemExit("Tesseract is not installed (apt-get install tesseract-ocr-eng)")
    result = run(args.pictures, args.texts)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"text answers, quiet: p50 {result['text_quiet_p50'] * 1000:.0f} ms, "
        f"p95 {result['text_quiet_p95'] * 1000:.0f} ms"
    )
    print(
        f"text answers while {args.pictures} screenshots are read: "
        f"p50 {result['text_during_burst_p50'] * 1000:.0f} ms, "
        f"p95 {result['text_during_burst_p95'] * 1000:.0f} ms"
    )
    print(
        f"screenshots answered: p50 {result['picture_answer_p50']:.1f} s, last "
        f"{result['picture_answer_max']:.1f} s after the burst began, "
        f"{result['pictures_answered_right']:.0%} with their claim's fact-check "
        f"(load average {result['load_average']:.1f} on 2 cores)"
    )


if __name__ == "__main__":
    main()
