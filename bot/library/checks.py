"""Checks that need the whole library: references, duplicates, languages and Telegram limits."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bot.library import limits
from bot.library.catalog import Library, Located
from bot.library.documents import inside_root, picture_problem
from bot.library.schema import Assessment, FactCheck, Lesson, Locale, Quiz
from bot.library.yamlread import KeyPath, Problem, format_path, locate
from bot.texts.templates import compile_error, plural_categories, sample_render_error

REFERENCE_LANGUAGE = "en"
# Room a card's message keeps for what the bot adds around the card's own text.
CARD_HEADING_CHARS = 200
# A plural written by hand (`'s' if n != 1`, `n % 10 == 1`): wrong in most languages.
_HAND_PLURAL = re.compile(r"!=\s*1\b|==\s*1\s+else|%\s*10\b|%\s*100\b")
_PLURAL_CALL = re.compile(r"\|\s*plural\(([^)]*)\)")
_PLURAL_FORM = re.compile(r"\b(zero|one|two|few|many|other)\s*=")


def check_library(library: Library, items: Sequence[Located[Any]]) -> list[Problem]:
    problems: list[Problem] = []
    problems += _duplicates(items)
    for located in items:
        item = located.item
        if isinstance(item, Lesson):
            problems += _check_lesson(library, located)
        elif isinstance(item, Quiz):
            problems += _check_quiz(library, located)
        elif isinstance(item, FactCheck):
            problems += _check_factcheck(library, located)
        elif isinstance(item, Assessment):
            problems += _check_assessment(located)
        elif isinstance(item, Locale):
            problems += _check_locale(library, located)
    problems += _check_languages(library, items)
    problems += _check_tags(library, items)
    return problems


def _check_tags(library: Library, items: Sequence[Located[Any]]) -> Iterator[Problem]:
    """Technique tags come from one vocabulary, the `tags` of the reference locale, so a
    misspelled tag does not quietly become a technique of its own in mastery figures."""
    reference = library.locales.get(REFERENCE_LANGUAGE)
    if reference is None:
        return
    known = {key.removeprefix("tags.") for key in reference.flat() if key.startswith("tags.")}
    for located in items:
        item = located.item
        places: list[tuple[KeyPath, tuple[str, ...]]] = []
        if isinstance(item, Lesson):
            places.append((("techniques",), item.techniques))
        elif isinstance(item, Quiz):
            places += [
                (("questions", i, "techniques"), q.techniques) for i, q in enumerate(item.questions)
            ]
        elif isinstance(item, Assessment):
            places += [
                (("forms", f, "headlines", h, "techniques"), headline.techniques)
                for f, form in enumerate(item.forms)
                for h, headline in enumerate(form.headlines)
            ]
        for path, tags in places:
            for tag in tags:
                if tag not in known:
                    yield _at(
                        located,
                        path,
                        f"unknown tag '{tag}': use one listed under tags in "
                        f"locales/{REFERENCE_LANGUAGE}.yaml, or add it there",
                    )


def _at(located: Located[Any], path: KeyPath, message: str) -> Problem:
    path = located.original(path)
    line, col = locate(located.positions, path)
    return Problem(located.file, line, col, format_path(path), message)


def _duplicates(items: Sequence[Located[Any]]) -> Iterator[Problem]:
    seen: dict[tuple[str, str, str], Located[Any]] = {}
    for located in items:
        item = located.item
        ident = item.language if isinstance(item, Locale) else item.id
        key = (type(item).__name__, item.language, ident)
        first = seen.get(key)
        if first is None:
            seen[key] = located
            continue
        line = first.positions.get(("id",), (None, None))[0]
        where = f"{first.file}:{line}" if line else first.file
        what = "locale" if isinstance(item, Locale) else f"id '{ident}' ({item.language})"
        path: KeyPath = ("language",) if isinstance(item, Locale) else ("id",)
        yield _at(located, path, f"duplicate {what}, first defined at {where}")


def _check_lesson(library: Library, located: Located[Lesson]) -> Iterator[Problem]:
    lesson = located.item
    if lesson.prerequisite and (lesson.language, lesson.prerequisite) not in library.lessons:
        hint = _nearest(library, lesson.language, lesson.prerequisite)
        yield _at(located, ("prerequisite",), f"no lesson '{lesson.prerequisite}'{hint}")
    if lesson.prerequisite == lesson.id:
        yield _at(located, ("prerequisite",), "a lesson cannot require itself")
    for index, card in enumerate(lesson.cards):
        limit = limits.CAPTION_CHARS if card.image else limits.MESSAGE_CHARS
        if len(card.text) > limit - CARD_HEADING_CHARS:
            kind = "a card with an image (a photo caption)" if card.image else "a card"
            yield _at(
                located,
                ("cards", index, "text"),
                f"{len(card.text)} characters; {kind} allows {limit - CARD_HEADING_CHARS}: "
                f"Telegram's {limit} less {CARD_HEADING_CHARS} kept for the lesson title and "
                "the card number above it",
            )
        if card.image and not card.image.startswith(("http://", "https://")):
            image = library.root / card.image
            if not inside_root(library.root, image) or not image.is_file():
                yield _at(located, ("cards", index, "image"), f"no image file '{card.image}'")


def _nearest(library: Library, language: str, lesson_id: str) -> str:
    """` (did you mean 'basics'?)` for the lesson id closest to a broken reference, if any."""
    ids = [item_id for lang, item_id in library.lessons if lang == language]
    close = difflib.get_close_matches(lesson_id, ids, n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _no_lesson(library: Library, language: str, lesson_id: str) -> str:
    return f"no lesson '{lesson_id}' in language {language}{_nearest(library, language, lesson_id)}"


def _check_quiz(library: Library, located: Located[Quiz]) -> Iterator[Problem]:
    quiz = located.item
    if quiz.lesson and (quiz.language, quiz.lesson) not in library.lessons:
        yield _at(located, ("lesson",), _no_lesson(library, quiz.language, quiz.lesson))
    yield from _check_translation(library, located)
    seen: set[str] = set()
    for qi, question in enumerate(quiz.questions):
        if question.id in seen:
            yield _at(located, ("questions", qi, "id"), f"duplicate question id '{question.id}'")
        seen.add(question.id)
        for oi, option in enumerate(question.options):
            if len(option.text) > limits.BUTTON_CHARS:
                yield _at(
                    located,
                    ("questions", qi, "options", oi, "text"),
                    f"{len(option.text)} characters; a button label allows {limits.BUTTON_CHARS}",
                )
        long_texts: list[tuple[KeyPath, str | None]] = [
            (("questions", qi, "text"), question.text),
            (("questions", qi, "explanation"), question.explanation),
        ]
        for path, text in long_texts:
            if text and len(text) > limits.MESSAGE_CHARS // 2:
                yield _at(
                    located,
                    path,
                    f"{len(text)} characters; keep it under "
                    f"{limits.MESSAGE_CHARS // 2} so feedback fits one message",
                )


def _check_translation(library: Library, located: Located[Quiz]) -> Iterator[Problem]:
    """A translated question must be answered the same way as the reference one: a learner's
    answers, reviews and scores belong to the question whatever language they read it in, and
    an answer is stored as option positions."""
    quiz = located.item
    reference = library.quizzes.get((REFERENCE_LANGUAGE, quiz.id))
    if reference is None or reference is quiz:
        return
    originals = {question.id: question for question in reference.questions}
    for qi, question in enumerate(quiz.questions):
        original = originals.get(question.id)
        if original is None:
            continue
        shape = (question.type, [o.correct for o in question.options], question.answer)
        if shape != (original.type, [o.correct for o in original.options], original.answer):
            yield _at(
                located,
                ("questions", qi),
                f"answered differently from question '{question.id}' in {REFERENCE_LANGUAGE}: "
                "keep its type, its options' order and which are correct",
            )


def _check_factcheck(library: Library, located: Located[FactCheck]) -> Iterator[Problem]:
    fc = located.item
    if fc.lesson and (fc.language, fc.lesson) not in library.lessons:
        yield _at(located, ("lesson",), _no_lesson(library, fc.language, fc.lesson))
    size = len(fc.claim) + len(fc.answer) + len(fc.explanation)
    size += sum(len(s.title) + len(s.publisher or "") + len(s.url or "") for s in fc.sources)
    if size > limits.MESSAGE_CHARS - 300:
        yield _at(
            located,
            ("explanation",),
            f"claim, answer, explanation and sources add up to {size} characters; "
            f"one message allows about {limits.MESSAGE_CHARS - 300}",
        )
    for index, name in enumerate(fc.images):
        problem = picture_problem(library.root, name)
        if problem is not None:
            yield _at(located, ("images", index), problem)


def _check_assessment(located: Located[Assessment]) -> Iterator[Problem]:
    seen: set[str] = set()
    for fi, form in enumerate(located.item.forms):
        for hi, headline in enumerate(form.headlines):
            path: KeyPath = ("forms", fi, "headlines", hi)
            if headline.id in seen:
                yield _at(located, (*path, "id"), f"duplicate headline id '{headline.id}'")
            seen.add(headline.id)
            if len(headline.text) > limits.MESSAGE_CHARS // 2:
                yield _at(located, (*path, "text"), "a headline should fit on one screen")


def _check_locale(library: Library, located: Located[Locale]) -> Iterator[Problem]:
    locale = located.item
    if located.file and Path(located.file).stem != locale.language:
        yield _at(located, ("language",), f"file should be named {locale.language}.yaml")
    needed = plural_categories(locale.language)
    for key, source in locale.flat().items():
        path: KeyPath = ("messages", *key.split("."))
        error = compile_error(source)
        if error:
            yield _at(located, path, f"template error: {error}")
        else:
            error = sample_render_error(source, locale.language)
            if error:
                yield _at(located, path, f"template, tried with sample values: {error}")
        if _HAND_PLURAL.search(source):
            yield _at(located, path, "write plurals with the plural filter, not a formula")
        for call in _PLURAL_CALL.finditer(source):
            given = set(_PLURAL_FORM.findall(call.group(1)))
            lacking = sorted(needed - given)
            if lacking:
                yield _at(
                    located,
                    path,
                    f"plural(...) needs the forms {', '.join(sorted(needed))} in "
                    f"{locale.language}; missing {', '.join(lacking)}",
                )
    reference = library.locales.get(REFERENCE_LANGUAGE)
    if reference is None or locale.language == REFERENCE_LANGUAGE:
        return
    missing = sorted(set(reference.flat()) - set(locale.flat()))
    for key in missing:
        yield _at(located, ("messages",), f"missing translation of '{key}'")


def _check_languages(library: Library, items: Sequence[Located[Any]]) -> Iterator[Problem]:
    """Every language needs its interface texts. A locale file that exists but failed to load
    has its own problem reported; repeating it for every item would bury that line."""
    if not items:
        return

    def present(language: str) -> bool:
        return (
            language in library.locales or (library.root / "locales" / f"{language}.yaml").exists()
        )

    if not present(REFERENCE_LANGUAGE):
        first = items[0]
        yield Problem(
            first.file,
            None,
            None,
            "",
            f"no locales/{REFERENCE_LANGUAGE}.yaml: the interface "
            "texts every other language is checked against",
        )
    for located in items:
        item = located.item
        if not isinstance(item, Locale) and not present(item.language):
            yield _at(
                located,
                ("language",),
                f"no locales/{item.language}.yaml, so the bot cannot speak {item.language}",
            )
