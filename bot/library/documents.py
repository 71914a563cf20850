"""Turning the content library's fact-checks into the Documents the matcher indexes.

The claim and its alternate phrasings are what people repeat, so they are the matching text; the
answer is indexed too, with a low weight, because it often names the subject in other words.
"""

from __future__ import annotations

from bot.library.catalog import Library
from bot.matching.types import Document


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
