"""Turning the content library's fact-checks into the Documents the matcher indexes, and their
checked pictures into the picture index.

The claim and its alternate phrasings are what people repeat, so they are the matching text; the
answer is indexed too, with a low weight, because it often names the subject in other words.
"""

from __future__ import annotations

from pathlib import Path

from bot.library.catalog import Library
from bot.matching.pictures import PictureError, PictureIndex, checked_hashes, open_picture
from bot.matching.types import Document

PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif")
MAX_PICTURE_BYTES = 10_000_000


def documents_from_library(library: Library) -> list[Document]:
    """One Document per fact-check and language, in the library's order."""
    return [
        Document(
            id=fc.id,
            language=fc.language,
            claim=fc.claim,
            phrasings=tuple(fc.phrasings),
            answer=fc.answer,
            urls=tuple(fc.urls),
            sources=tuple(source.url for source in fc.sources if source.url),
        )
        for fc in library.factchecks.values()
    ]


def picture_problem(root: Path, name: str) -> str | None:
    """Why a fact-check's checked picture cannot be used, or None when it can."""
    path = root / name
    if not inside_root(root, path) or not path.is_file():
        return f"no image file '{name}'"
    if path.suffix.lower() not in PICTURE_SUFFIXES:
        return f"'{name}' is not a JPEG, PNG, WebP or GIF picture"
    if path.stat().st_size > MAX_PICTURE_BYTES:
        return f"'{name}' is over {MAX_PICTURE_BYTES // 1_000_000} MB"
    try:
        image = open_picture(path.read_bytes())
    except PictureError:
        return f"'{name}' cannot be read as a picture"
    if not checked_hashes(image):
        return f"'{name}' is too plain (nearly one colour) to be recognised"
    return None


def pictures_from_library(library: Library) -> PictureIndex[tuple[str, str]]:
    """The checked pictures' hashes, each keyed by its fact-check (language, id). A picture
    that cannot be read is left out (`content check` names it)."""
    entries = []
    for key, fc in library.factchecks.items():
        for name in fc.images:
            path = library.root / name
            if not inside_root(library.root, path):
                continue
            try:
                found = checked_hashes(open_picture(path.read_bytes()))
            except (OSError, PictureError):
                continue
            if found:
                entries.append((found, key))
    return PictureIndex.of(entries)


def inside_root(root: Path, path: Path) -> bool:
    """True when `path` is inside `root` (no `..` or link leads out)."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True
