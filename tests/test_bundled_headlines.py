"""The before/after headline test measures discernment, not memory or tone.

A headline the learner has already met in a lesson, a quiz or a fact-check would be rated from
memory after the course, so no headline may appear (or nearly appear) anywhere else in the
library in its language. And a form in which true headlines are plain and false ones are loaded
could be scored on tone alone, so style is crossed with truth: every form has the same number of
headlines in each truth x style cell, and the parallel forms have the same counts.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator

import pytest
from rapidfuzz import fuzz

from bot.config import bundled_content
from bot.library.catalog import Library
from bot.library.loader import load_library
from bot.library.schema import Assessment

LANGUAGES = ("en", "ru")
# token_set_ratio at or above this counts as the same headline reworded.
SIMILAR = 85
# Texts are compared sentence by sentence: a long lesson card shares many common words with any
# headline, and a one-word quiz option ("Russia") is a subset of many, so only sentences at least
# half as long as the headline are compared by similarity. Exact copies are found in whole texts.
SENTENCE_END = re.compile(r"[.!?…\n]+")

Cell = tuple[bool, str | None]


@pytest.fixture(scope="module")
def library() -> Library:
    result = load_library(bundled_content())
    assert result.ok, result.problems
    return result.library


def normalise(text: str) -> str:
    """Casefold, turn punctuation and symbols into spaces, collapse whitespace."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(" " if unicodedata.category(ch)[0] in "PS" else ch for ch in folded)
    return " ".join(kept.split())


def teaching_texts(library: Library, language: str) -> Iterator[tuple[str, str]]:
    """(where, text) for every lesson card, quiz text and fact-check claim in a language."""
    for lesson in library.lessons_in(language):
        for n, card in enumerate(lesson.cards):
            yield f"lesson {lesson.id} card {n + 1}", card.text
    for quiz in library.quizzes_in(language):
        for question in quiz.questions:
            where = f"quiz {quiz.id}/{question.id}"
            yield where, question.text
            yield where, question.explanation
            for option in question.options:
                yield where, option.text
                if option.feedback:
                    yield where, option.feedback
            for extra in (question.feedback_correct, question.feedback_wrong):
                if extra:
                    yield where, extra
    for factcheck in library.factchecks_in(language):
        for text in (factcheck.claim, *factcheck.phrasings):
            yield f"factcheck {factcheck.id}", text


def assessments(library: Library, language: str) -> list[Assessment]:
    found = library.assessments_in(language)
    assert found, f"no headline test in {language}"
    return found


def overlaps(headline: str, texts: list[tuple[str, str]]) -> list[str]:
    """Where the headline appears in, or nearly matches a sentence of, the given texts."""
    target = normalise(headline)
    size = len(target.split())
    found: list[str] = []
    for where, text in texts:
        if target in normalise(text):
            found.append(f"{where}: contains it")
            continue
        for sentence in SENTENCE_END.split(text):
            unit = normalise(sentence)
            if len(unit.split()) * 2 < size:
                continue
            score = fuzz.token_set_ratio(target, unit)
            if score >= SIMILAR:
                found.append(f"{where}: {score:.0f}% similar to {sentence.strip()!r}")
                break
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_headline_is_taught_elsewhere(library: Library, language: str) -> None:
    texts = list(teaching_texts(library, language))
    assert texts
    problems: list[str] = []
    for assessment in assessments(library, language):
        for form in assessment.forms:
            for headline in form.headlines:
                for where in overlaps(headline.text, texts):
                    problems.append(
                        f"{language}/{form.id}/{headline.id} {headline.text!r} in {where}"
                    )
    assert not problems, "\n".join(problems)


def test_overlap_check_catches_a_copied_headline() -> None:
    """The check itself: an exact copy, a reworded copy, and no false alarm on short options."""
    headline = "Iran's parliament votes to execute 15,000 arrested protesters"
    assert overlaps(
        headline, [("fc", "Iran's Parliament votes to execute 15,000 arrested protesters!")]
    )
    assert overlaps(
        headline, [("fc", "Parliament in Iran votes to execute 15000 arrested protesters")]
    )
    assert overlaps(headline, [("card", "First sentence. " + headline + ". Last one.")])
    assert not overlaps(headline, [("option", "Iran"), ("option", "Parliament")])


@pytest.mark.parametrize("language", LANGUAGES)
def test_style_is_crossed_with_truth(library: Library, language: str) -> None:
    for assessment in assessments(library, language):
        per_form: dict[str, Counter[Cell]] = {}
        for form in assessment.forms:
            missing = [h.id for h in form.headlines if h.style is None]
            assert not missing, f"{language}/{form.id}: no style on {missing}"
            cells: Counter[Cell] = Counter((h.accurate, h.style) for h in form.headlines)
            wanted = {
                (accurate, style) for accurate in (True, False) for style in ("neutral", "emotive")
            }
            assert set(cells) == wanted, f"{language}/{form.id}: cells {dict(cells)}"
            assert len(set(cells.values())) == 1, (
                f"{language}/{form.id}: unequal cells {dict(cells)}"
            )
            per_form[form.id] = cells
        counts = list(per_form.values())
        assert all(c == counts[0] for c in counts), f"{language}: forms differ {per_form}"


def test_translations_keep_truth_and_style(library: Library) -> None:
    def cells(language: str) -> dict[str, Cell]:
        return {
            headline.id: (headline.accurate, headline.style)
            for assessment in assessments(library, language)
            for form in assessment.forms
            for headline in form.headlines
        }

    assert cells("ru") == cells("en")
