"""Reading pictures people send: the words in them (Tesseract) and their perceptual hashes.

Runs in the same helper process as the drawings (a picture takes up to a second of CPU, which
would otherwise hold up everyone's replies). Everything happens in memory: the bytes are
decoded by Pillow and handed to Tesseract through its C API (tesserocr), never written to a
file, and nothing is kept once the words and hashes are returned.

Without Tesseract's language data (Debian: tesseract-ocr-eng, tesseract-ocr-rus) or its binding,
`find_tesseract()` says so and pictures are looked at only by hash and caption.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from bot.engine.events import PictureProblem, SeenPicture
from bot.matching.pictures import PictureError, open_picture, picture_hashes

# Where Debian and most distributions put Tesseract's language data.
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)
OCR_LANGUAGES = ("eng", "rus")
READ_SIDE = 1600  # a larger picture is scaled down before reading (Telegram sends 1280 at most)
OCR_MILLISECONDS = 6000  # Tesseract stops a page it has not read by then
CHROME_WORDS = 5  # a block shorter than this may be the app's chrome around a post
_WORD = re.compile(r"[^\W\d_]{2,}")
_HANDLE = re.compile(r"@\w")

_apis: dict[Tesseract, Any] = {}  # one Tesseract per process: loading its language data is slow
_lock = threading.Lock()  # one Tesseract handle reads one picture at a time


@dataclass(frozen=True)
class Tesseract:
    """Where Tesseract's language data is and which of our languages it has."""

    path: str
    languages: str  # "eng+rus"


def find_tesseract() -> Tesseract | None:
    """Tesseract with English or Russian data, or None when it cannot be used here."""
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return None
    prefix = os.environ.get("TESSDATA_PREFIX")
    candidates = [prefix, str(Path(prefix) / "tessdata")] if prefix else []
    for folder in [*candidates, *TESSDATA_DIRS]:
        found = [lang for lang in OCR_LANGUAGES if (Path(folder) / f"{lang}.traineddata").is_file()]
        if found:
            return Tesseract(str(folder), "+".join(found))
    return None


def read_picture(data: bytes, tesseract: Tesseract | None) -> SeenPicture:
    """The words and hashes of a picture. Module-level, so the helper process can run it."""
    try:
        image = open_picture(data)
    except PictureError:
        return SeenPicture(problem=PictureProblem.BROKEN)
    hashes = picture_hashes(image)
    text = read_text(image, tesseract) if tesseract is not None else None
    return SeenPicture(text=text, hashes=hashes)


def read_text(image: Image.Image, tesseract: Tesseract) -> str:
    """The words in a picture, light or dark theme alike."""
    gray = image.convert("L")
    gray.thumbnail((READ_SIDE, READ_SIDE))
    if _mean(gray) < 110:  # light words on a dark background: Tesseract reads dark on light
        gray = ImageOps.invert(gray)
    with _lock:
        api = _apis.get(tesseract)
        if api is None:
            import tesserocr

            api = tesserocr.PyTessBaseAPI(path=tesseract.path, lang=tesseract.languages)
            _apis[tesseract] = api
        api.SetImage(gray)
        if not api.Recognize(timeout=OCR_MILLISECONDS):
            api.Clear()
            return ""
        text = str(api.GetUTF8Text())
        api.Clear()
    return " ".join(" ".join(post_text(text)).split())


def post_text(text: str) -> list[str]:
    """The blocks of a screenshot that are the post, without the app's chrome around it: a
    short block (Tesseract separates blocks with an empty line) with no word in it (the clock,
    the counters) or with an @name (the author line) is left out."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]
    kept = []
    for block in blocks:
        words = len(_WORD.findall(block))
        if words < CHROME_WORDS and (words == 0 or _HANDLE.search(block)):
            continue
        kept.append(block)
    return kept


def _mean(gray: Image.Image) -> float:
    histogram = gray.histogram()
    total = sum(histogram) or 1
    return sum(value * count for value, count in enumerate(histogram)) / total
