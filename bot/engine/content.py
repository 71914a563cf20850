"""The content a running bot serves: the library, its interface texts, its claim matcher and
the hashes of its checked pictures.

They are built together and swapped together, so a reload never pairs a new library with an old
index. The engine reads one snapshot per event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.library.catalog import Library
from bot.library.documents import documents_from_library, pictures_from_library
from bot.matching import Matcher, Thresholds
from bot.matching.pictures import PictureIndex
from bot.matching.semantic import Encoder
from bot.texts.templates import Texts


@dataclass(frozen=True)
class Content:
    library: Library
    texts: Texts
    matcher: Matcher
    pictures: PictureIndex[tuple[str, str]] = field(default_factory=PictureIndex)

    @classmethod
    def build(
        cls,
        library: Library,
        default_language: str,
        thresholds: Thresholds,
        encoder: Encoder | None = None,
        fallback: Thresholds | None = None,
    ) -> Content:
        texts = Texts(library.locales, default_language)
        documents = documents_from_library(library)
        matcher = Matcher(documents, thresholds, encoder=encoder, fallback=fallback)
        return cls(library, texts, matcher, pictures_from_library(library))
