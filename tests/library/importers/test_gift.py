"""A Moodle GIFT bank with every question type: what becomes a quiz, what is reported by line,
that the result passes the content check inside a library, and that the bot serves it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine as DbEngine

from bot.library.importers import parse_gift, write_items
from bot.library.importers.common import Item
from bot.library.schema import Quiz
from bot.testing.person import Person
from tests.conftest import make_library
from tests.library.importers.helpers import FIXTURES, checked_engine

BANK = (FIXTURES / "civics-bank.gift").read_text(encoding="utf-8")


def bank() -> dict[str, Item]:
    parsed = parse_gift(BANK, name="civics-bank.gift")
    return {quiz["id"]: quiz for quiz in parsed.items}


def question(quiz: Item, ident: str) -> dict[str, Any]:
    found: dict[str, Any] = next(q for q in quiz["questions"] if q["id"] == ident)
    return found


def line_of(fragment: str) -> int:
    return next(n for n, line in enumerate(BANK.splitlines(), 1) if fragment in line)


def test_categories_become_quizzes() -> None:
    quizzes = bank()
    assert list(quizzes) == ["civics-bank", "elections", "media-literacy"]
    assert [q["title"] for q in quizzes.values()] == ["Civics bank", "Elections", "Media literacy"]
    counts = {ident: len(quiz["questions"]) for ident, quiz in quizzes.items()}
    assert counts == {"civics-bank": 2, "elections": 6, "media-literacy": 6}
    types = [q["type"] for q in quizzes["elections"]["questions"]]
    assert types == ["single", "multiple", "truefalse", "short", "single", "single"]
    # Titled questions get ids from their titles, untitled ones from their position.
    assert [q["id"] for q in quizzes["civics-bank"]["questions"]] == ["warm-up", "q2"]
    for quiz in quizzes.values():
        Quiz.model_validate(quiz)


def test_multiple_choice_feedback_and_general_feedback() -> None:
    q = question(bank()["civics-bank"], "warm-up")
    assert q["type"] == "single"
    assert q["options"][0] == {
        "text": "The courts",
        "correct": True,
        "feedback": "Yes. Courts decide what the law means in a dispute.",
    }
    assert q["options"][1]["feedback"] == "The parliament writes laws; others interpret them."
    assert "correct" not in q["options"][1]
    assert q["explanation"].startswith("In a separation of powers")


def test_weighted_answers_become_multiple_choice() -> None:
    q = question(bank()["elections"], "signs-of-a-fair-election")
    assert q["type"] == "multiple"
    assert [o.get("correct", False) for o in q["options"]] == [True, True, False]
    assert q["explanation"] == (
        "The answers are: Independent observers can watch the count; "
        "Opposition candidates can campaign freely."
    )


def test_true_false_feedback_is_wrong_then_right() -> None:
    quizzes = bank()
    q = question(quizzes["elections"], "observers")
    assert q["answer"] is False
    assert q["feedback_wrong"].startswith("Not so")
    assert q["feedback_correct"].startswith("Right: some regimes")
    assert q["explanation"].startswith("Look at who the observers are")
    press = question(quizzes["civics-bank"], "q2")
    assert press["answer"] is True and press["explanation"] == "The statement is true."
    deepfakes = question(quizzes["media-literacy"], "deepfakes")
    assert deepfakes == {
        "id": "deepfakes",
        "type": "truefalse",
        "text": "A convincing video can be entirely fabricated.",
        "answer": True,
        "explanation": "The statement is true.",
    }
    photos = question(quizzes["media-literacy"], "old-photos")
    assert photos["answer"] is False and "feedback_correct" not in photos


def test_short_answers() -> None:
    quizzes = bank()
    q = question(quizzes["elections"], "term-limits")
    assert q["type"] == "short"
    assert q["accepted"] == ["term limits", "term limit", "presidential term limits"]
    assert q["feedback_correct"] == "Yes: term limits."
    assert q["explanation"] == "The answer is: term limits."
    lateral = question(quizzes["media-literacy"], "lateral-reading")
    assert lateral["accepted"] == ["lateral reading", "reading laterally"]
    assert lateral["explanation"].startswith("Checkers judge a page")


def test_formats_escapes_and_missing_word() -> None:
    quizzes = bank()
    turnout = question(quizzes["elections"], "turnout")
    assert turnout["text"] == "What does voter turnout measure?"
    assert turnout["options"][0]["feedback"] == "Correct & precise."
    gap = question(quizzes["elections"], "gerrymandering")
    assert gap["text"] == (
        "Drawing district borders to favour one party is called _____, named after a US governor."
    )
    assert gap["type"] == "single" and gap["options"][0]["text"] == "gerrymandering"
    escapes = question(quizzes["media-literacy"], "escapes")
    assert escapes["text"] == 'What does the ratio 1:2 mean in the headline "Cases up 1:2"?'
    assert [o["text"] for o in escapes["options"]] == [
        "One to two, written with a colon",
        "A time of day = 1 hour 2 minutes",
        "An {error} in the headline",
    ]
    assert escapes["options"][1]["feedback"] == "No: it is a ratio."
    hashtag = question(quizzes["media-literacy"], "hashtag")
    assert hashtag["text"] == (
        "A post ends with #StopTheSteal. What is the hashtag doing?\nThink about who uses it."
    )


def test_unsupported_and_broken_questions_are_reported_by_line() -> None:
    parsed = parse_gift(BANK, name="civics-bank.gift")
    reported = {entry.line: entry.message for entry in parsed.skipped}
    expected = {
        line_of("::Match the institution::"): "matching question",
        line_of("::Age of majority::"): "numerical question",
        line_of("::Essay on fairness::"): "essay question",
        line_of("Elections are more than voting day"): "description",
        line_of("::Broken::"): "not closed",
        line_of("::No right answer::"): "without a right answer",
        line_of("::Too long::"): "longer than 100 characters",
    }
    assert set(reported) == set(expected)
    for line, words in expected.items():
        assert words in reported[line], (line, reported[line])


def test_language_prefix_and_uncategorised_questions() -> None:
    source = (
        "// no category here\n"
        "Кто считает голоса?{=Избирательная комиссия ~Армия}\n\n"
        "$CATEGORY: $course$/top\n\n"
        "Голосование тайное.{T}\n\n"
        "$CATEGORY: Права/Выборы\n"
        "::Q::Назовите орган власти, принимающий законы.{=парламент}\n"
    )
    parsed = parse_gift(source, name="банк вопросов.txt", language="ru", id_prefix="ru-bank")
    assert parsed.skipped == []
    quizzes = {quiz["id"]: quiz for quiz in parsed.items}
    assert list(quizzes) == ["ru-bank-bank-voprosov", "ru-bank-vybory"]
    first = quizzes["ru-bank-bank-voprosov"]
    assert first["title"] == "Банк вопросов" and first["language"] == "ru"
    # A category path without a name keeps the questions in the file's quiz.
    assert [q["explanation"] for q in first["questions"]] == [
        "Правильный ответ: Избирательная комиссия.",
        "Утверждение верно.",
    ]
    assert quizzes["ru-bank-vybory"]["questions"][0]["accepted"] == ["парламент"]


def test_the_same_category_twice_is_one_quiz_and_ids_stay_unique() -> None:
    source = (
        "$CATEGORY: A/Intro\n\n::Same::One?{T}\n\n$CATEGORY: B/Intro\n\n::Same::Two?{F}\n\n"
        "$CATEGORY: A/Intro\n\n::Same::Three?{T}\n\n$CATEGORY: Other\n\n::X::Four?{T}\n"
    )
    parsed = parse_gift(source)
    assert [(q["id"], [x["id"] for x in q["questions"]]) for q in parsed.items] == [
        ("intro", ["same", "same-2", "same-3"]),
        ("other", ["x"]),
    ]


def test_every_truncation_of_the_bank_imports_without_crashing() -> None:
    for end in range(0, len(BANK), 3):
        parsed = parse_gift(BANK[:end])
        for quiz in parsed.items:
            Quiz.model_validate(quiz)


GIFTISH = st.text(
    alphabet=st.sampled_from(list("{}=~#%:->\\[]/$\n\n abcT0123456789<p>&;"))
    | st.characters(codec="utf-8"),
    max_size=300,
)


@settings(max_examples=300, deadline=None)
@given(GIFTISH)
def test_any_text_imports_without_crashing(source: str) -> None:
    parsed = parse_gift(source)
    for quiz in parsed.items:
        Quiz.model_validate(quiz)
    assert all(entry.line is None or entry.line >= 1 for entry in parsed.skipped)


def test_imported_quizzes_pass_the_check_and_are_served(
    tmp_path: Path, db_engine: DbEngine
) -> None:
    root = make_library(tmp_path)
    parsed = parse_gift(BANK, name="civics-bank.gift")
    written = write_items("quizzes", parsed.items, root).written
    assert {w.path.relative_to(root).as_posix() for w in written} == {
        "quizzes/en/civics-bank.yaml",
        "quizzes/en/elections.yaml",
        "quizzes/en/media-literacy.yaml",
    }
    engine = checked_engine(root, db_engine)
    person = Person(engine)
    out = person.send_payload(person.payload("quiz", "elections"))
    assert "Elections" in out and "Question 1 of 6" in out
    assert "Correct" in person.press("So that no one can punish")
    person.press("Next question")
    person.press("Independent observers")
    person.press("Opposition candidates")
    assert "Correct" in person.press("Done")
    person.press("Next question")
    out = person.press("True")
    assert "Not quite" in out and "many regimes invite friendly observers" in out
    person.press("Next question")
    assert "Correct" in person.say("Term Limits")
    person.press("Next question")
    assert "Correct & precise" in person.press("The share of eligible voters")
    assert "called _____, named after" in person.press("Next question")
    assert "Correct" in person.press("gerrymandering")
    assert "5 of 6 right" in person.press("See my score")


@pytest.mark.parametrize("quiz", ["civics-bank", "media-literacy"])
def test_every_imported_quiz_starts(tmp_path: Path, db_engine: DbEngine, quiz: str) -> None:
    root = make_library(tmp_path)
    write_items("quizzes", parse_gift(BANK, name="civics-bank.gift").items, root)
    person = Person(checked_engine(root, db_engine))
    assert "Question 1 of" in person.send_payload(person.payload("quiz", quiz))


def test_lines_count_from_the_file_whatever_shares_the_block() -> None:
    source = "\ufeff// header\r\n$CATEGORY: a/B\r\n// note\r\n::E::Explain.{}\r\n\r\nQ?{=a ~b}\r\n"
    parsed = parse_gift(source)
    assert [(entry.line, entry.message[:5]) for entry in parsed.skipped] == [(4, "essay")]
    assert [(quiz["id"], len(quiz["questions"])) for quiz in parsed.items] == [("b", 1)]


def test_untitled_ids_count_skipped_questions_too() -> None:
    parsed = parse_gift("Explain.{}\n\nTrue?{T}\n\nFalse?{F}\n")
    assert [q["id"] for q in parsed.items[0]["questions"]] == ["q2", "q3"]


def test_markdown_becomes_the_plain_text_the_bot_shows() -> None:
    parsed = parse_gift(
        "::Md::[markdown]Is **this** a [source](https://example.org) or `spam`?"
        "{=A *source* ~Spam}\n"
    )
    question = parsed.items[0]["questions"][0]
    assert question["text"] == "Is this a source (https://example.org) or spam?"
    assert question["options"][0]["text"] == "A source"
    assert [n.message for n in parsed.notes] == [
        "Markdown formatting turned into plain text (the bot shows content as text)"
    ]


def test_answer_weights_carry_over_or_are_reported() -> None:
    bank = (
        "::Even::Which are warning signs?{~%50%ALL CAPS ~%50%Urgency ~%-50%A named source}\n\n"
        "::Odd::Which are warning signs?{~%70%ALL CAPS ~%30%Urgency ~%-100%A named source}\n\n"
        "::Half::Pick the best answer{=Check the source ~%50%Ask a friend ~Share it}\n\n"
        "::Typed::Name the habit{=SIFT =%50%lateral reading}\n"
    )
    parsed = parse_gift(bank, name="bank.gift")
    even, _odd, half, typed = parsed.items[0]["questions"]
    # 50/50 with -50 is exactly civicbot's multiple-choice scoring: carried over, no note.
    assert [o.get("correct", False) for o in even["options"]] == [True, True, False]
    notes = [(n.line, n.message) for n in parsed.notes]
    assert notes == [
        (3, "answer 'ALL CAPS' gave 70% in the bank; here it gives 50%"),
        (3, "answer 'Urgency' gave 30% in the bank; here it gives 50%"),
        (3, "answer 'A named source' gave -100% in the bank; here it gives -50%"),
        (5, "answer 'Ask a friend' gave 50% in the bank; here it gives 0%"),
        (
            7,
            "answer 'lateral reading' gave 50% in the bank; a typed answer here is right or "
            "wrong, so it counts as wrong",
        ),
    ]
    # One fully right answer: a partial one is not a second option to tick.
    assert half["type"] == "single" and typed["accepted"] == ["SIFT"]
