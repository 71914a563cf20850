"""Reading the pictures people send: words by Tesseract, in memory; hashes; a broken file or a
machine without Tesseract is said plainly, never a traceback."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.engine.events import PictureProblem
from bot.matching.pictures import distance, open_picture, picture_hashes
from bot.testing.pictures import jpeg, picture, screenshot
from bot.transports.drawing import reading
from bot.transports.drawing.helper import Drawer
from bot.transports.drawing.reading import Tesseract, find_tesseract, read_picture

CLAIM = "Drinking hot water every fifteen minutes kills the virus in the throat"
RUSSIAN = "Горячая вода каждые пятнадцать минут убивает вирус в горле"


def tesseract_here() -> Tesseract:
    """Tesseract, which CI installs; a developer without it skips these tests."""
    found = find_tesseract()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Tesseract is not installed (apt-get install tesseract-ocr-eng/-rus)")
        pytest.skip("Tesseract is not installed")
    return found


def hide_tesseract(monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine as one without Tesseract: no language data, no binding."""
    monkeypatch.setattr(reading, "TESSDATA_DIRS", ())
    monkeypatch.delenv("TESSDATA_PREFIX", raising=False)
    monkeypatch.setitem(sys.modules, "tesserocr", None)


@pytest.mark.parametrize(("text", "seed"), [(CLAIM, 0), (CLAIM, 1), (RUSSIAN, 2), (RUSSIAN, 3)])
def test_words_in_a_screenshot_are_read(text: str, seed: int) -> None:
    seen = read_picture(screenshot(text, seed), tesseract_here())
    assert seen.problem is None
    assert seen.text is not None
    words = set(text.lower().split())
    read = set(seen.text.lower().split())
    assert len(words & read) >= 0.8 * len(words), seen.text


def test_hashes_are_of_the_picture_and_of_the_picture_it_frames() -> None:
    photo = picture(3)
    seen = read_picture(jpeg(photo, 80), None)
    assert seen.text is None  # no reader asked for
    [whole] = picture_hashes(photo)
    assert min(distance(whole, h) for h in seen.hashes) < 20


def test_a_broken_or_huge_file_is_said_plainly() -> None:
    assert read_picture(b"\xff\xd8\xff\xe0garbage", None).problem is PictureProblem.BROKEN
    assert read_picture(b"", None).problem is PictureProblem.BROKEN
    bomb = jpeg(picture(1, side=64), 80)  # claims few pixels; a real bomb is refused below
    assert read_picture(bomb, None).problem is None
    with pytest.raises(ValueError, match="too many pixels"):
        open_picture(jpeg(picture(1), 80), max_pixels=1000)


def test_without_tesseract_it_is_not_found(monkeypatch: pytest.MonkeyPatch) -> None:
    hide_tesseract(monkeypatch)
    assert find_tesseract() is None
    drawer = Drawer()
    assert drawer.tesseract is None
    seen = asyncio.run(drawer.read(screenshot(CLAIM, 0)))
    drawer.shutdown()
    assert seen.text is None
    assert seen.problem is None
    assert seen.hashes


def test_a_picture_is_read_in_the_helper_process_without_touching_disk(tmp_path: Path) -> None:
    tesseract = tesseract_here()
    before = set(Path("/tmp").iterdir())
    drawer = Drawer(tesseract=tesseract)
    try:
        seen = asyncio.run(drawer.read(screenshot(CLAIM, 4)))
    finally:
        drawer.shutdown()
    assert seen.text is not None
    assert "hot water" in seen.text.lower()
    assert not {p for p in set(Path("/tmp").iterdir()) - before if "tess" in p.name.lower()}


def test_a_slow_read_gets_its_own_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.transports.drawing import helper

    monkeypatch.setattr(helper, "READ_SECONDS", 0.0001)
    drawer = Drawer(tesseract=None)
    try:
        seen = asyncio.run(drawer.read(jpeg(picture(2), 80)))
    finally:
        drawer.shutdown()
    assert seen.problem is PictureProblem.SLOW


def test_the_apps_chrome_around_a_post_is_left_out() -> None:
    read = "12:00\n\nCivic Reader\n@reader - 2h\n\n" + CLAIM + "\nin the throat\n\n01.2K 03\n"
    assert reading.post_text(read) == [CLAIM + "\nin the throat"]
    short = "Vaccines cause\n\nautism"  # short blocks with words and no @name are kept
    assert reading.post_text(short) == ["Vaccines cause", "autism"]
