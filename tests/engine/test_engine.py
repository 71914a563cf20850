"""Dialogs through the real engine on real databases: each table is what a person does and what
they must see."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.engine.content import Content
from bot.engine.engine import Engine
from bot.engine.events import Incoming, Reply
from bot.engine.verbs import COMMANDS, Command
from bot.library.loader import load_library_or_raise
from bot.storage.tables import Answer, LessonProgress, QuizAttempt, User
from bot.storage.unit import Store
from bot.testing.person import Person, start_fixture_quiz
from tests.conftest import UNLIMITED, Clock, make_library

# (action, argument, fragments the reply must contain)
Step = tuple[str, str, list[str]]


def play(person: Person, steps: list[Step]) -> None:
    for action, argument, expected in steps:
        out = person.say(argument) if action == "say" else person.press(argument)
        for fragment in expected:
            assert fragment in out, f"{action} {argument!r}: {fragment!r} not in:\n{out}"


def test_start_welcomes_and_offers_the_menu(engine: Engine) -> None:
    play(
        Person(engine),
        [("say", "/start", ["Welcome to civicbot", "Privacy", "Lessons", "My progress"])],
    )


def test_lesson_card_by_card_then_quiz_then_progress(engine: Engine) -> None:
    person = Person(engine)
    play(
        person,
        [
            ("say", "/lessons", ["Spotting emotional language", "The SIFT habits"]),
            ("press", "Spotting emotional", ["(1/3)", "feel before you think"]),
            ("press", "Next", ["(2/3)", "The spread of true and false news online", "Science"]),
            ("press", "Back", ["(1/3)"]),
            ("press", "Next", ["(2/3)"]),
            ("press", "Next", ["(3/3)", "Take the quiz"]),
            ("press", "Take the quiz", ["Emotional language quiz", "Question 1 of 4"]),
            ("press", "A reaction before thought", ["Correct", "strong feelings cut"]),
            ("press", "Next question", ["Question 2 of 4", "Tick every answer"]),
            ("press", "ALL CAPS", ["☑ ALL CAPS outrage"]),
            ("press", "named, checkable", ["☑ A named"]),
            ("press", "named, checkable", ["☐ A named"]),
            (
                "press",
                "Done",
                ["Partly right", "✓ ALL CAPS outrage: A classic sign", "not tick: Urgent"],
            ),
            ("press", "Next question", ["Question 3 of 4"]),
            ("press", "False", ["Not quite", "Studies found the opposite", "Right answer:"]),
            ("press", "Next question", ["Question 4 of 4", "Type your answer"]),
            ("say", "s.i.f.t", ["Correct", "Exactly"]),
            ("press", "See my score", ["2 of 4 right, 1 partly right", "Retry the 2 missed"]),
            ("press", "Retry", ["questions you missed", "Question 1 of 2", "warning signs"]),
            ("press", "ALL CAPS", []),
            ("press", "Urgent", []),
            ("press", "Done", ["Correct"]),
            ("press", "Next question", ["Question 2 of 2", "Fear spreads"]),
            ("press", "True", ["Correct"]),
            ("press", "See my score", ["2 of 2 right", "Every answer right"]),
            (
                "say",
                "/progress",
                ["Lessons finished: 1 of 2", "Spotting emotional", "2 of 4 right"],
            ),
        ],
    )


def test_claim_is_answered_with_verdict_and_sources(engine: Engine) -> None:
    play(
        Person(engine),
        [
            (
                "say",
                "5G mobile networks spread the coronavirus",
                [
                    "False",
                    "Viruses cannot travel",
                    "World Health Organization",
                    "not yet been reviewed",
                ],
            ),
            ("say", "qwxz plorb vintage teapot festival", ["no fact-check for this yet", "Stop"]),
            (
                "say",
                "/check 5G towers cause COVID-19",
                ["We have checked a claim like this", "False"],
            ),
        ],
    )


def test_stale_and_forged_buttons_change_nothing(engine: Engine) -> None:
    person = Person(engine)
    person.say("/lessons")
    person.press("Spotting emotional")
    old_next = next(b.payload for b in person.buttons if "Next" in b.label)
    person.press("Next")
    with engine.store.engine.connect() as connection:
        card_before = connection.scalar(select(User.lesson_card))
    for forged in [old_next, "pick:99999:0", "nonsense", "lesson:../../etc", "x" * 500, "", "fc:"]:
        out = person.send_payload(forged)
        assert person.replies[0].notice == "That button is out of date."
        # A stale lesson button shows the card the person is on; anything else, the menu.
        assert ("(2/3)" in out) if forged == old_next else ("earlier step" in out)
    with engine.store.engine.connect() as connection:
        assert connection.scalar(select(User.lesson_card)) == card_before
        assert connection.scalar(select(func.count(Answer.id))) == 0


def test_replayed_answer_counts_once(engine: Engine) -> None:
    person = Person(engine)
    start_fixture_quiz(person)
    pick = next(b.payload for b in person.buttons if "reaction" in b.label)
    person.send_payload(pick)
    assert "earlier step" in person.send_payload(pick)
    with engine.store.engine.connect() as connection:
        assert connection.scalar(select(func.count(Answer.id))) == 1


def test_unknown_command_and_help(engine: Engine) -> None:
    play(
        Person(engine),
        [
            ("say", "/frobnicate", ["/frobnicate", "menu"]),
            ("say", "/help", ["How to use civicbot", "/lessons"]),
            ("say", "/start@civic_bot", ["Welcome"]),
        ],
    )


def test_state_survives_a_new_engine(engine: Engine, clock: Clock) -> None:
    """A restart (a new engine on the same database) continues the conversation exactly."""
    person = Person(engine)
    person.say("/lessons")
    person.press("Spotting emotional")
    person.press("Next")
    pending = next(b.payload for b in person.buttons if "Next" in b.label)
    restarted = Engine(engine.store, engine.content, clock)
    out = Person(restarted).send_payload(pending)
    assert "(3/3)" in out


def test_language_choice_when_there_are_two(
    tmp_path: Path, db_engine: object, clock: Clock
) -> None:
    root = make_library(tmp_path, {"de": "Deutsch"})
    library = load_library_or_raise(root)
    engine = Engine(
        Store(db_engine),  # type: ignore[arg-type]
        Content.build(library, "en", Settings().matching.thresholds),
        clock,
    )
    person = Person(engine)
    out = person.say("/start")
    assert "Choose your language" in out
    assert person.labels() == ["Deutsch", "English"]
    assert "I will speak" in person.press("Deutsch")
    with engine.store.engine.connect() as connection:
        assert connection.scalar(select(User.language)) == "de"


def test_every_event_is_stored_before_replying(engine: Engine) -> None:
    person = Person(engine)
    person.say("/lessons")
    person.press("SIFT")
    with engine.store.engine.connect() as connection:
        rows = connection.execute(select(LessonProgress.lesson_id)).scalars().all()
        assert rows == ["sift"]
        assert connection.scalar(select(func.count(QuizAttempt.id))) == 0


def test_a_failing_event_is_rolled_back_and_answered_politely(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = Person(engine)
    person.say("/start")

    def broken(*_: object) -> list[Reply]:
        raise RuntimeError("boom")

    monkeypatch.setitem(COMMANDS, "lessons", Command("lessons", broken))
    assert "something went wrong" in person.say("/lessons")
    monkeypatch.undo()
    assert "Spotting emotional" in person.say("/lessons")


def test_inline_answers_come_without_a_user(engine: Engine) -> None:
    answers = engine.inline("5G towers cause COVID-19", "en")
    assert answers and answers[0].id == "en:5g-covid"
    assert answers[0].title == "5G mobile networks spread the coronavirus"  # the claim, first
    assert "False" in answers[0].description
    assert engine.inline("qwxz plorb vintage teapot", "en") == []


def test_command_menu_has_descriptions(engine: Engine) -> None:
    menu = dict(engine.command_menu("en"))
    assert set(menu) >= {"start", "lessons", "progress", "help", "check"}
    assert all(menu.values())


def test_verdict_markup_is_rendered_once(engine: Engine) -> None:
    person = Person(engine)
    person.say("5G towers cause COVID-19")
    text = person.replies[0].text
    assert "<b>False</b>" in text and "&lt;b&gt;" not in text
    answer = engine.inline("5G towers cause COVID-19", "en")[0]
    assert "<b>" not in answer.title and "<b>" not in answer.description
    assert "❌ False" in answer.description
    assert "<b>False</b>" in answer.text and "&lt;b&gt;" not in answer.text


def test_review_mixing_quizzes_with_the_same_question_ids(
    library_dir: Path, db_engine: object, clock: Clock
) -> None:
    """Question ids repeat across quizzes (q1, q2 ...); a review that mixes them works."""
    second = (library_dir / "quizzes" / "basics-quiz.yaml").read_text()
    second = second.replace("id: basics-quiz", "id: again-quiz").replace(
        "lesson: basics", "lesson: sift"
    )
    (library_dir / "quizzes" / "again-quiz.yaml").write_text(second)
    library = load_library_or_raise(library_dir)
    engine = Engine(
        Store(db_engine),  # type: ignore[arg-type]
        Content.build(library, "en", Settings().matching.thresholds),
        clock,
        UNLIMITED,
    )
    person = Person(engine)
    for quiz in ("basics-quiz", "again-quiz"):
        person.send_payload(person.payload("quiz", quiz))
        person.press("A calm discussion")
        for _ in range(3):
            person.press("Next question") if any("Next" in b for b in person.labels()) else None
            break
    clock.advance(days=1)
    out = person.say("/review")
    assert "Time to review: 2 questions" in out
    person.press("A calm discussion")
    person.press("Next question")
    assert "Not quite" in person.press("A calm discussion")
    assert engine.failures == 0


def test_stale_quiz_button_shows_where_you_are(engine: Engine) -> None:
    """A reply lost (say, in a restart) leaves old buttons; pressing one shows the open step."""
    person = Person(engine)
    person.send_payload(person.payload("quiz", "basics-quiz"))
    pick = next(b.payload for b in person.buttons if "reaction" in b.label)
    engine.handle(Incoming(person.key, payload=pick))  # answered; the feedback never arrived
    out = person.send_payload(pick)
    assert "changed nothing. You are here" in out and "Next question" in out
    assert "Question 2 of 4" in person.press("Next question")
    stale = person.send_payload(pick)
    assert "Question 2 of 4" in stale


def test_text_that_databases_refuse_is_cleaned(engine: Engine) -> None:
    person = Person(engine)
    person.say("nul\x00 and a lone \ud83d surrogate about purple elephants")
    person.press("Send it to the editors")
    assert engine.failures == 0
    from bot.storage.tables import QueuedClaim

    with engine.store.engine.connect() as connection:
        stored = connection.scalar(select(QueuedClaim.text))
    assert stored == "nul and a lone \ufffd surrogate about purple elephants"


def at_the_typed_question(engine: Engine, *multiple: str) -> Person:
    """A person who answered the fixture quiz up to its last (typed) question."""
    person = Person(engine)
    person.send_payload(person.payload("quiz", "basics-quiz"))
    for label in ("reaction", "Next question", *multiple, "Done", "Next question", "True"):
        person.press(label)
    person.press("Next question")
    return person


def test_stale_score_button_shows_the_score_again(engine: Engine) -> None:
    person = at_the_typed_question(engine, "ALL CAPS", "Urgent")
    person.say("SIFT")
    see_score = next(b.payload for b in person.buttons if "See my score" in b.label)
    engine.handle(Incoming(person.key, payload=see_score))  # the score message was lost
    out = person.send_payload(see_score)
    assert "You are here" in out and "4 of 4 right" in out


def test_a_typed_answer_sent_again_is_not_taken_for_a_claim(engine: Engine) -> None:
    person = at_the_typed_question(engine, "ALL CAPS")
    person.say("SIFT")
    again = person.say("SIFT")  # the reply to the first was lost; the person sends it again
    assert "You are here" in again and "See my score" in again
    assert "fact-check" not in again


def test_a_claim_after_a_wrong_typed_answer_is_checked_with_check(engine: Engine) -> None:
    person = at_the_typed_question(engine, "ALL CAPS")
    person.say("no idea")
    out = person.say("5G towers cause COVID-19")  # the quiz is still open: not a claim yet
    assert "/check" in out and "See my score" in out and "checked a claim" not in out
    assert "We have checked a claim like this" in person.say("/check 5G towers cause COVID-19")


def test_only_sqlite_asks_for_one_event_at_a_time(engine: Engine) -> None:
    assert engine.one_at_a_time == (engine.store.engine.dialect.name == "sqlite")
