"""The terminal transport: HTML to plain text, numbered buttons, piped transcripts, files."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import Engine as DbEngine
from sqlalchemy import func, select

from bot.config import Settings, bundled_content
from bot.engine.content import Content
from bot.engine.engine import Engine
from bot.engine.events import Attachment, Button, Reply
from bot.library.catalog import Library
from bot.library.loader import load_library_or_raise
from bot.matching.pictures import open_picture
from bot.service import Service
from bot.storage.keys import AddressBox
from bot.storage.privacy import Retention
from bot.storage.tables import QueuedClaim
from bot.storage.unit import Store
from bot.testing.person import Person, start_fixture_quiz
from bot.testing.pictures import screenshot, transformed
from bot.transports.terminal import chat, plain, render, save_attachment
from tests.conftest import UNLIMITED, Clock


@pytest.fixture(scope="module")
def bundled() -> Library:
    return load_library_or_raise(bundled_content())


@pytest.fixture
def bundled_engine(db_engine: DbEngine, bundled: Library, clock: Clock) -> Engine:
    content = Content.build(bundled, "en", Settings().matching.thresholds)
    return Engine(Store(db_engine), content, clock, UNLIMITED)


def test_plain_text() -> None:
    assert plain('<b>Hi</b> &amp; <a href="https://x.org/?a=1&amp;b=2">link</a>') == (
        "Hi & link <https://x.org/?a=1&b=2>"
    )
    assert plain("a\n\n\n\nb") == "a\n\nb"


def test_buttons_are_numbered_across_replies() -> None:
    replies = [
        Reply("one", ((Button("A", "a"), Button("B", "b")),)),
        Reply("two", ((Button("C", "c"),),)),
    ]
    text, buttons = render(replies)
    assert "[1] A   [2] B" in text and "[3] C" in text
    assert [b.payload for b in buttons] == ["a", "b", "c"]


def test_a_newer_attachment_replaces_the_earlier_one(tmp_path: Path) -> None:
    first = save_attachment(tmp_path, Attachment("chart.png", b"1", photo=True))
    second = save_attachment(tmp_path, Attachment("chart.png", b"2", photo=True))
    assert first == second == tmp_path / "chart.png" and second.read_bytes() == b"2"
    assert second.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["chart.png"]


def test_progress_leaves_one_picture_and_forget_erases_every_saved_file(
    engine: Engine, tmp_path: Path
) -> None:
    files = tmp_path / "files"
    files.mkdir()
    (files / "progress-2.png").write_bytes(b"a chart an earlier version kept")
    out = run(engine, ["/progress", "/progress", "/progress", "/mydata"], files)
    assert out.count("[picture: ") == 3 and "[file: " in out
    saved = sorted(p.name for p in files.iterdir())
    assert saved == ["civicbot-my-data.json", "progress-2.png", "progress.png"]
    # /forget, then its confirmation button ("Yes, erase everything" is the first).
    out = run(engine, ["/forget", "1"], files)
    assert "Everything I kept about you is erased" in out
    assert list(files.iterdir()) == []


def run(engine: Engine, lines: list[str], files: Path) -> str:
    out = io.StringIO()
    code = chat(engine, "f" * 64, io.StringIO("".join(f"{x}\n" for x in lines)), out, files=files)
    assert code == 0
    return out.getvalue()


def test_scripted_learner_pre_test_lesson_quiz_post_test_review_progress(
    engine: Engine, clock: Clock, tmp_path: Path
) -> None:
    files = tmp_path / "files"
    # Pre-test: four headlines rated 5 (credulous).
    out = run(engine, ["/test", "5", "5", "5", "5"], files)
    assert "Your starting point" in out
    # The first lesson (3 cards) and its quiz: q1 right, q2 half, q3 wrong, q4 typed right.
    out = run(
        engine,
        ["/lessons", "1", "2", "2", "2", "1", "1", "1", "4", "1", "2", "1", "sift", "1"],
        files,
    )
    assert "2 of 4 right, 1 partly right" in out, out
    # Post-test on the other form: true rated 7, false rated 1.
    out = run(engine, ["/test", "7", "1", "7", "1"], files)
    assert "You got better at telling true headlines from false ones" in out
    clock.advance(minutes=5)
    out = run(engine, ["/review"], files)
    assert "Time to review: 2 questions" in out
    assert "Which are warning signs?" in out
    out = run(engine, ["/progress"], files)
    match = re.search(r"\[picture: (.+\.png)\]", out)
    assert match, out
    picture = Path(match.group(1))
    assert picture.parent == files
    with Image.open(picture) as image:
        assert image.format == "PNG" and image.size == (800, 900)


def test_due_reminders_reach_the_terminal_through_the_service(
    engine: Engine, clock: Clock, tmp_path: Path
) -> None:
    box = AddressBox(AddressBox.new_key())
    service = Service(engine, engine.store, box, Retention(180, 180, 365, 730))
    address = box.seal("terminal")

    def session(lines: list[str]) -> str:
        out = io.StringIO()
        stdin = io.StringIO("".join(f"{x}\n" for x in lines))
        assert chat(engine, "f" * 64, stdin, out, service=service, address=address) == 0
        return out.getvalue()

    assert "Reminders are on" in session(["/remind"])
    person = Person(engine, "f" * 64)
    start_fixture_quiz(person)
    person.press("A calm discussion")  # a wrong answer: due again tomorrow
    # Someone else in the same database (say, on Telegram) with a reminder due too.
    other = Person(engine, "e" * 64)
    other.address = box.seal("12345")
    other.say("/remind")
    start_fixture_quiz(other)
    other.press("A calm discussion")
    assert "question is due" not in session(["/menu"])
    clock.advance(days=1, minutes=1)
    # The reminder follows the menu's six buttons; its own button works like any other.
    later = session(["/menu", "7"])
    reminder = later.split("is due for review", 1)
    assert len(reminder) == 2 and "[7] 🔁 Review" in reminder[1]
    assert "Time to review" in reminder[1]
    assert later.count("is due for review") == 1  # the other person's stays theirs
    assert service.queue_reminders() == 1 and len(service.claim_outbox(10)) == 1


def test_a_number_with_no_button_says_so_and_the_quiz_stays(engine: Engine, tmp_path: Path) -> None:
    # The first lesson: Back is [1] on every card and Next [2], so "2" always goes forward.
    out = run(engine, ["/lessons", "1", "2", "2", "2", "9", "0", "1"], tmp_path)
    assert out.count("[1] ◀ Back   [2] Next ▶") == 2
    assert "There is no button 9. Type a number from 1 to 2" in out
    assert "There is no button 0." in out
    assert "What does emotional language aim for?" in out
    assert "I have no fact-check" not in out and "editors" not in out
    assert out.rstrip().endswith("[1] Next question ▶")  # "1" answered the question


def test_done_with_nothing_ticked_keeps_the_question_in_the_terminal(
    engine: Engine, tmp_path: Path
) -> None:
    # Question 2 ticks three options; [4] is Done.
    out = run(engine, ["/lessons", "1", "2", "2", "2", "1", "1", "4", "1", "4"], tmp_path)
    after_empty_done = out.split("Tick at least one answer first.", 1)[1]
    assert "[4] ✅ Done" in after_empty_done
    assert "Partly right" in after_empty_done  # "1" then ticked, and Done answered


def test_typed_option_text_is_an_answer_and_the_next_number_sends_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    out = run(
        engine,
        ["/lessons", "1", "2", "2", "2", "A calm discussion", "1", "Something else entirely"],
        tmp_path,
    )
    assert "Not quite" in out and "Which are warning signs?" in out
    assert "Tap an option below" in out
    assert "Send it to the editors" not in out
    with engine.store.engine.connect() as connection:
        assert connection.scalar(select(func.count(QueuedClaim.id))) == 0


def test_scripted_learner_in_english_then_russian(bundled_engine: Engine, tmp_path: Path) -> None:
    """One person: the English headline test, lesson and quiz, then Russian: the same progress."""
    files = tmp_path / "files"
    run(bundled_engine, ["/language", "1", "/test", *["4"] * 16], files)  # English
    lesson = ["/lessons", "1", "2", "2", "2", "2", "2"]  # five cards, then "Take the quiz"
    # Eight questions, each followed by "Next": q1 right, q2 wrong, q3 right, q4 two ticks and
    # Done, q5 and q6 true/false, q7 typed, q8 one tick and Done, then the score.
    quiz = ["1", "1", "2", "1", "1", "1", "1", "3", "5", "1", "1", "1", "2", "1"]
    quiz += ["prebunking", "1", "1", "5", "1"]
    english = run(bundled_engine, [*lesson, *quiz, "/progress"], files)
    right = re.search(r"(\d) of 8 right", english)
    assert right, english
    assert "Lessons finished: 1 of 18" in english
    russian = run(bundled_engine, ["/language", "2", "/progress", "/lessons"], files)
    assert "Пройдено уроков: 1 из 18" in russian
    assert f"верно {right.group(1)} из 8" in russian
    assert "[1] ✓ Приёмы манипуляции I" in russian
    pictures = re.findall(r"\[picture: (.+\.png)\]", english + russian)
    assert len(pictures) == 2
    for picture in pictures:
        with Image.open(picture) as image:
            assert image.size == (800, 900)
    out = run(bundled_engine, ["/test"], files)
    assert "второй раунд" in out  # the English "before" test counts in Russian too


def test_photo_sends_a_picture_file(engine: Engine, library: Library, tmp_path: Path) -> None:
    known = library.root / "images" / "fake-surrender-photo.png"
    copy = tmp_path / "forwarded.jpg"
    copy.write_bytes(transformed(open_picture(known.read_bytes()), 0))
    lines = [f"/photo {copy}", f"/photo {tmp_path / 'missing.jpg'}", f"/photo {copy} a caption"]
    out = io.StringIO()
    assert chat(engine, "f" * 64, io.StringIO("".join(f"{x}\n" for x in lines)), out) == 0
    said = out.getvalue()
    assert said.count("Zelensky told Ukrainian soldiers") == 2
    assert "could not open this file as a picture" in said


def test_photo_without_tesseract_asks_for_the_words(engine: Engine, tmp_path: Path) -> None:
    shot = tmp_path / "shot.jpg"
    shot.write_bytes(screenshot("5G mobile networks spread the coronavirus", 0))
    out = io.StringIO()
    assert chat(engine, "f" * 64, io.StringIO(f"/photo {shot}\n"), out, tesseract=None) == 0
    assert "I can only read text here; please send the words" in out.getvalue()
