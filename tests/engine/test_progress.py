"""/progress tells the truth: recall only where there is evidence, and one learner's progress
whatever language they read in."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine as DbEngine

from bot.config import Settings, bundled_content
from bot.engine.content import Content
from bot.engine.engine import Engine
from bot.engine.events import Incoming
from bot.engine.pictures import ChartData
from bot.library.catalog import Library
from bot.library.loader import load_library_or_raise
from bot.storage.unit import Store
from bot.testing.person import Person, start_fixture_quiz
from tests.conftest import UNLIMITED, Clock


def chart_of(engine: Engine, person: Person) -> tuple[str, ChartData]:
    [reply] = engine.handle(Incoming(person.key, text="/progress", language=person.language))
    assert reply.attachment is not None and reply.attachment.picture is not None
    data = reply.attachment.picture.data
    assert isinstance(data, ChartData)
    return reply.text, data


def answer_fixture_quiz(person: Person, *, q3: str) -> None:
    start_fixture_quiz(person)
    person.press("A reaction before thought")
    person.press("Next question")
    person.press("ALL CAPS")
    person.press("Urgent")
    person.press("Done")
    person.press("Next question")
    person.press(q3)
    person.press("Next question")
    person.say("SIFT")
    person.press("See my score")


def test_a_wrong_answer_lowers_recall_at_once_and_text_and_picture_agree(
    engine: Engine, clock: Clock
) -> None:
    right, wrong = Person(engine, "1" * 64), Person(engine, "2" * 64)
    answer_fixture_quiz(right, q3="True")
    answer_fixture_quiz(wrong, q3="False")  # emotional language: two right, one wrong
    _, good = chart_of(engine, right)
    text, bad = chart_of(engine, wrong)
    [good_bar] = [bar for bar in good.mastery if bar.label == "emotional language"]
    [bad_bar] = [bar for bar in bad.mastery if bar.label == "emotional language"]
    assert good_bar.value is not None and good_bar.value > 0.95
    assert bad_bar.value is not None and bad_bar.value < 0.7  # not 100 % the minute after
    assert bad_bar.note == f"{bad_bar.value * 100:.0f}%"
    assert "To strengthen next: <i>emotional language</i>" in text
    # Answering it right in review brings it back up.
    clock.advance(minutes=2)
    wrong.say("/review")
    wrong.press("True")
    _, mended = chart_of(engine, wrong)
    [mended_bar] = [bar for bar in mended.mastery if bar.label == "emotional language"]
    assert mended_bar.value is not None and mended_bar.value > bad_bar.value


def test_too_few_answers_say_so_instead_of_a_figure(engine: Engine) -> None:
    person = Person(engine)
    start_fixture_quiz(person)
    person.press("A calm discussion")  # one wrong answer on emotional language
    text, data = chart_of(engine, person)
    [bar] = data.mastery
    assert bar.value is None and bar.note == "1 answer: too few to tell (needs 3)"
    assert "Too few answers yet to tell how well you remember: <i>emotional language</i>" in text
    assert "To strengthen next" not in text  # no figure, so no verdict either


# One learner across languages, on the bundled library (English and Russian share ids).


@pytest.fixture(scope="module")
def bundled() -> Library:
    return load_library_or_raise(bundled_content())


@pytest.fixture
def both(db_engine: DbEngine, bundled: Library, clock: Clock) -> Iterator[Engine]:
    content = Content.build(bundled, "en", Settings().matching.thresholds)
    yield Engine(Store(db_engine), content, clock, UNLIMITED)


def read_lesson_and_take_its_quiz(person: Person, lesson: str, take_quiz: str) -> str:
    """Open `lesson`, turn to its end and answer every question of its quiz."""
    person.press(lesson)
    while len(person.labels()) == 2 and person.labels()[1].startswith(("Next", "Далее")):
        person.press(person.labels()[1])
    out = person.press(take_quiz)
    while True:
        labels = person.labels()
        if any(label.endswith(("Done", "Готово")) for label in labels):
            person.press(labels[0][2:])
            out = person.press(labels[-1])
        elif not labels:
            out = person.say("stop")
        elif labels[0].startswith(("Next question", "Следующий")):
            out = person.press(labels[0])
        elif labels[0] in ("See my score", "Мой результат"):
            return person.press(labels[0])
        else:
            out = person.press(labels[0])
        assert out


def test_one_learner_one_progress_across_languages(both: Engine) -> None:
    person = Person(both, "c" * 64)
    person.say("/test")
    for _ in range(16):
        person.press("4")
    person.say("/lessons")
    score = read_lesson_and_take_its_quiz(person, "Manipulation techniques I", "Take the quiz")
    right = re.search(r"(\d+) of 8 right", score)
    assert right, score
    english, english_chart = chart_of(both, person)
    assert "Lessons finished: 1 of 18" in english

    person.say("/language")
    person.press("Русский")
    russian, russian_chart = chart_of(both, person)
    assert "Пройдено уроков: 1 из 18" in russian
    assert "✓ Приёмы манипуляции I" in russian
    assert f"Тест: эмоции, поляризация, козлы отпущения: верно {right.group(1)} из 8" in russian
    assert len(russian_chart.assessment) == len(english_chart.assessment) == 1
    assert russian_chart.assessment[0][0] == "до"
    assert len(russian_chart.mastery) == len(english_chart.mastery) == 3
    assert sorted(bar.value or 0 for bar in russian_chart.mastery) == sorted(
        bar.value or 0 for bar in english_chart.mastery
    )
    # /test in Russian goes on to the second round, not a new "before" test.
    out = person.say("/test")
    assert "второй раунд" in out and "Заголовок 1 из 16" in out, out
    person.say("/menu")
    # The lesson list marks the lesson read in English as finished.
    person.say("/lessons")
    assert person.labels()[0].startswith("✓ Приёмы манипуляции I")
    # A lesson read in Russian counts as that lesson in English too.
    read_lesson_and_take_its_quiz(person, "Проверяем утверждения сами", "Пройти тест")
    person.say("/language")
    person.press("English")
    english, _ = chart_of(both, person)
    assert "Lessons finished: 2 of 18" in english
    assert "Тест" not in english and "Quiz: SIFT and lateral reading" in english
