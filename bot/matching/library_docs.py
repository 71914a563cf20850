"""Turning the content library's fact-checks into the documents the matcher indexes."""

from __future__ import annotations

from bot.library.library import Library
from bot.matching.types import Document


def documents_from_library(library: Library) -> list[Document]:
    return [
        Document(
            id=fc.id,
            language=fc.language,
            claim=fc.claim,
            phrasings=fc.phrasings,
            answer=fc.answer,
            urls=fc.urls,
        )
        for fc in library.factchecks.values()
    ]
