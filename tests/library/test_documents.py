"""The content library's fact-checks become matcher Documents, one per id and language."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.config import bundled_content
from bot.library.documents import documents_from_library, pictures_from_library
from bot.library.loader import load_library
from bot.matching import Matcher, Tier
from bot.matching.pictures import open_picture, picture_hashes
from bot.testing.pictures import picture, transformed

FIXTURES = Path(__file__).resolve().parent.parent / "matching" / "fixtures"


def make_content(tmp_path: Path) -> Path:
    """The fixture fact-checks plus the bundled interface texts (en and ru)."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "factchecks", root / "factchecks")
    (root / "locales").mkdir()
    english = (bundled_content() / "locales" / "en.yaml").read_text(encoding="utf-8")
    (root / "locales" / "en.yaml").write_text(english, encoding="utf-8")
    shutil.copy(bundled_content() / "locales" / "ru.yaml", root / "locales" / "ru.yaml")
    return root


def test_documents_from_library(tmp_path: Path) -> None:
    loaded = load_library(make_content(tmp_path))
    assert loaded.ok, loaded.problems
    documents = documents_from_library(loaded.library)
    by_key = {(d.language, d.id): d for d in documents}
    assert set(by_key) == {
        ("en", "vaccine-chip"),
        ("ru", "vaccine-chip"),
        ("en", "moon-landing"),
        ("en", "eiffel-sold"),
    }
    chip = by_key[("en", "vaccine-chip")]
    assert chip.claim == "COVID-19 vaccines contain microchips that track people"
    assert chip.phrasings == ("The vaccine injects a 5G tracking chip",)
    assert chip.urls == ("https://example.org/stories/vaccine-microchip-tracking",)
    assert chip.answer.startswith("No vaccine contains a microchip")


def test_matcher_over_a_loaded_library(tmp_path: Path) -> None:
    library = load_library(make_content(tmp_path)).library
    matcher = Matcher(documents_from_library(library))
    result = matcher.match("Apollo 11 never went to the Moon, it was all filmed in a studio")
    assert result.tier is not Tier.NONE
    assert result.best is not None
    assert result.best.document_id == "moon-landing"


def test_checked_pictures_are_indexed_by_their_factcheck(library_dir: Path) -> None:
    loaded = load_library(library_dir)
    assert loaded.ok, loaded.problems
    index = pictures_from_library(loaded.library)
    photo = open_picture((library_dir / "images" / "fake-surrender-photo.png").read_bytes())
    assert index.find(picture_hashes(photo)) == ("en", "zelensky-deepfake")
    assert index.find(picture_hashes(open_picture(transformed(photo, 0)))) == (
        "en",
        "zelensky-deepfake",
    )
    assert index.find(picture_hashes(picture(12345))) is None
