"""The loaded, validated content library: what the engine reads lessons, quizzes and texts from.

Items are keyed by (language, id): the same id in two languages is one item and its translation.
Order within a kind follows the file paths, so educators order lessons by naming files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from bot.library.schema import Assessment, FactCheck, Lesson, Locale, Question, Quiz
from bot.library.yamlread import KeyPath, Positions

Item = Lesson | Quiz | FactCheck | Assessment | Locale
T = TypeVar("T", bound=Item)


@dataclass(frozen=True)
class Located(Generic[T]):
    """An item with the file it came from and the positions of its keys.

    An item salvaged from a file that failed validation lacks the list items that failed;
    `removed` lists them, (list path, index) in the order they went, so a path in the item can
    be turned back into the path in the file.
    """

    item: T
    file: str
    positions: Positions
    removed: tuple[tuple[KeyPath, int], ...] = ()

    def original(self, path: KeyPath) -> KeyPath:
        """Where `path` of the item is in the file."""
        out = list(path)
        for list_path, index in reversed(self.removed):
            depth = len(list_path)
            if len(out) > depth and tuple(out[:depth]) == list_path:
                at = out[depth]
                if isinstance(at, int) and at >= index:
                    out[depth] = at + 1
        return tuple(out)


@dataclass(frozen=True)
class Library:
    root: Path
    lessons: dict[tuple[str, str], Lesson] = field(default_factory=dict)
    quizzes: dict[tuple[str, str], Quiz] = field(default_factory=dict)
    factchecks: dict[tuple[str, str], FactCheck] = field(default_factory=dict)
    assessments: dict[tuple[str, str], Assessment] = field(default_factory=dict)
    locales: dict[str, Locale] = field(default_factory=dict)

    @classmethod
    def empty(cls, root: Path) -> Library:
        return cls(root)

    @classmethod
    def from_items(cls, root: Path, items: Iterable[Located[Item]]) -> Library:
        """Index items; on a duplicate key the first file wins (checks report the duplicate)."""
        library = cls(root)
        for located in items:
            item = located.item
            if isinstance(item, Locale):
                library.locales.setdefault(item.language, item)
                continue
            tables: dict[type, dict[tuple[str, str], Any]] = {
                Lesson: library.lessons,
                Quiz: library.quizzes,
                FactCheck: library.factchecks,
                Assessment: library.assessments,
            }
            tables[type(item)].setdefault((item.language, item.id), item)
        return library

    @property
    def languages(self) -> list[str]:
        """Languages the bot can speak: those with interface texts."""
        return sorted(self.locales)

    def lessons_in(self, language: str) -> list[Lesson]:
        return [lesson for (lang, _), lesson in self.lessons.items() if lang == language]

    def quizzes_in(self, language: str) -> list[Quiz]:
        return [quiz for (lang, _), quiz in self.quizzes.items() if lang == language]

    def factchecks_in(self, language: str) -> list[FactCheck]:
        return [fc for (lang, _), fc in self.factchecks.items() if lang == language]

    def assessments_in(self, language: str) -> list[Assessment]:
        return [a for (lang, _), a in self.assessments.items() if lang == language]

    def quiz_for_lesson(self, language: str, lesson_id: str) -> Quiz | None:
        for quiz in self.quizzes_in(language):
            if quiz.lesson == lesson_id:
                return quiz
        return None

    def question(self, language: str, quiz_id: str, question_id: str) -> Question | None:
        quiz = self.quizzes.get((language, quiz_id))
        if quiz is None:
            return None
        return next((q for q in quiz.questions if q.id == question_id), None)

    def quiz_in(self, languages: Iterable[str], quiz_id: str) -> Quiz | None:
        """The quiz in the first of `languages` that has it, else in any language: a learner's
        progress belongs to the quiz, whichever translation they read it in."""
        for language in languages:
            if (quiz := self.quizzes.get((language, quiz_id))) is not None:
                return quiz
        return next((q for (_, qid), q in sorted(self.quizzes.items()) if qid == quiz_id), None)

    def question_in(
        self, languages: Iterable[str], quiz_id: str, question_id: str
    ) -> Question | None:
        """The question as `quiz_in` finds its quiz (translations share question ids)."""
        quiz = self.quiz_in(languages, quiz_id)
        if quiz is None:
            return None
        return next((q for q in quiz.questions if q.id == question_id), None)

    def counts(self, language: str | None = None) -> dict[str, int]:
        def mine(lang: str) -> bool:
            return language is None or lang == language

        quizzes = [q for (lang, _), q in self.quizzes.items() if mine(lang)]
        return {
            "lessons": sum(1 for lang, _ in self.lessons if mine(lang)),
            "quizzes": len(quizzes),
            "questions": sum(len(q.questions) for q in quizzes),
            "factchecks": sum(1 for lang, _ in self.factchecks if mine(lang)),
            "assessment_forms": sum(
                len(a.forms) for (lang, _), a in self.assessments.items() if mine(lang)
            ),
        }

    def unlinked_quizzes(self, language: str) -> list[str]:
        """Ids of the quizzes in `language` that no lesson of that language leads to: learners
        reach them only through /quizzes (an imported question bank, say)."""
        return [
            quiz.id
            for quiz in self.quizzes_in(language)
            if not quiz.lesson or (language, quiz.lesson) not in self.lessons
        ]

    def reviewed(self, language: str) -> dict[str, tuple[int, int]]:
        """Per kind, how many items in `language` carry a review that still holds, of how many.
        (A review of a text that changed since was already dropped when the library loaded.)"""
        tables: dict[str, Mapping[tuple[str, str], Lesson | Quiz | FactCheck | Assessment]] = {
            "lessons": self.lessons,
            "quizzes": self.quizzes,
            "factchecks": self.factchecks,
            "assessments": self.assessments,
        }
        counted = {}
        for kind, table in tables.items():
            mine = [item for (lang, _), item in table.items() if lang == language]
            if mine:
                counted[kind] = (sum(item.reviewed is not False for item in mine), len(mine))
        return counted

    def coverage(self, language: str, reference: str) -> dict[str, float]:
        """How much of the `reference` language exists in `language` (1.0 = all of it):
        interface messages, and lessons, questions and fact-checks by id."""

        def share(have: set[str], want: set[str]) -> float:
            return 1.0 if not want else round(len(have & want) / len(want), 3)

        def ids(table: Mapping[tuple[str, str], object], lang: str) -> set[str]:
            return {item_id for (code, item_id) in table if code == lang}

        def questions(lang: str) -> set[str]:
            return {f"{quiz.id}/{q.id}" for quiz in self.quizzes_in(lang) for q in quiz.questions}

        ref_locale = self.locales.get(reference)
        locale = self.locales.get(language)
        messages = set(ref_locale.flat()) if ref_locale else set()
        return {
            "interface_coverage": share(set(locale.flat()) if locale else set(), messages),
            "lesson_coverage": share(ids(self.lessons, language), ids(self.lessons, reference)),
            "question_coverage": share(questions(language), questions(reference)),
            "factcheck_coverage": share(
                ids(self.factchecks, language),
                ids(self.factchecks, reference),
            ),
        }

    def content_languages(self) -> list[str]:
        langs = {lang for lang, _ in self.lessons}
        langs |= {lang for lang, _ in self.quizzes}
        langs |= {lang for lang, _ in self.factchecks}
        langs |= {lang for lang, _ in self.assessments}
        return sorted(langs | set(self.locales))
