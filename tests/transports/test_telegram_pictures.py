"""Pictures over the loopback Bot API with the real engine: a screenshot of a checked claim, a
changed copy of a checked fake picture, an unrelated photo, a file too big or broken, and a
machine without Tesseract. Afterwards neither the database nor the data folder holds the
picture, its hash or the words read in it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from bot.engine.engine import Engine as RealEngine
from bot.matching.pictures import open_picture, picture_hashes
from bot.testing.fakebotapi import (
    FakeBotApi,
    Person,
    document_message,
    photo_message,
    visible_text,
)
from bot.testing.harness import RunningBot
from bot.testing.pictures import jpeg, picture, screenshot, transformed
from tests.transports.conftest import real_engine
from tests.transports.test_drawing_reading import hide_tesseract, tesseract_here

ANA = Person(987_654_321_012, "Ana", "en")
SCREENSHOT_CLAIM = "5G mobile networks spread the coronavirus"
TWENTY_MB = 20 * 1024 * 1024


def _answer(fake: FakeBotApi, message: dict[str, Any]) -> str:
    """Send `message` and return the text of the bot's answer to it."""
    before = len(fake.calls("sendMessage"))
    fake.push_message(message)
    call = fake.wait_for("sendMessage", count=before + 1, timeout=60)[-1]
    return visible_text(call.params["text"])


def _files_under(*roots: Path) -> set[Path]:
    return {p for root in roots for p in root.rglob("*") if p.is_file()}


def test_pictures_get_their_answers_and_leave_nothing_behind(
    tmp_path: Path, fake_api: FakeBotApi
) -> None:
    tesseract_here()
    engine = real_engine(tmp_path)
    data_home = Path(os.environ["XDG_DATA_HOME"])
    before = _files_under(tmp_path, data_home)
    shot = screenshot(f"BREAKING: {SCREENSHOT_CLAIM}. Share before they delete it!", 1)
    known = open_picture(
        (engine.content.library.root / "images" / "fake-surrender-photo.png").read_bytes()
    )
    copy = transformed(known, 7, 1)  # framed in a screenshot of a post
    unrelated = jpeg(picture(31337), 85)
    fake_api.add_file("shot", shot)
    fake_api.add_file("copy", copy)
    fake_api.add_file("unrelated", unrelated)
    fake_api.add_file("broken", b"\xff\xd8\xff\xe0 this is no picture")
    fake_api.add_file("huge", b"\0" * (TWENTY_MB + 1))
    with RunningBot(fake_api, engine):
        said = _answer(fake_api, photo_message(ANA, file_id="shot"))
        assert SCREENSHOT_CLAIM in said
        said = _answer(fake_api, photo_message(ANA, file_id="copy"))
        assert "Zelensky told Ukrainian soldiers" in said
        said = _answer(fake_api, photo_message(ANA, file_id="unrelated"))
        assert "I have no fact-check for this picture" in said
        said = _answer(fake_api, document_message(ANA, "huge", "image/jpeg", TWENTY_MB))
        assert "too big" in said
        said = _answer(fake_api, document_message(ANA, "huge", "image/png"))  # size unsaid
        assert "too big" in said
        said = _answer(fake_api, document_message(ANA, "broken", "image/jpeg"))
        assert "could not open this file as a picture" in said
    fetched = [call.params["file_id"] for call in fake_api.calls("getFile")]
    assert "AgAD-huge" not in fetched  # the photo's 2560-pixel size is never fetched
    assert fetched.count("huge") == 1  # the 20 MB file announced as such is not even asked for
    assert _files_under(tmp_path, data_home) - before <= {
        tmp_path / "bot.sqlite3-journal",
        tmp_path / "bot.sqlite3-wal",
    }
    stored = (tmp_path / "bot.sqlite3").read_bytes()
    for kept in ("BREAKING", "delete it", "Share before"):
        assert kept.encode() not in stored
    for hashed in (*picture_hashes(open_picture(copy)), *picture_hashes(open_picture(shot))):
        assert str(hashed).encode() not in stored
        assert hashed.to_bytes(32, "big") not in stored
        assert f"{hashed:064x}".encode() not in stored


def test_without_tesseract_a_caption_is_checked_and_a_bare_picture_asks_for_words(
    tmp_path: Path, fake_api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    hide_tesseract(monkeypatch)
    engine: RealEngine = real_engine(tmp_path)
    fake_api.add_file("shot", screenshot(SCREENSHOT_CLAIM, 2))
    with RunningBot(fake_api, engine):
        said = _answer(fake_api, photo_message(ANA, file_id="shot"))
        assert "I can only read text here; please send the words" in said
        said = _answer(fake_api, photo_message(ANA, "5G towers cause COVID-19", file_id="shot"))
        assert SCREENSHOT_CLAIM in said
