"""The terminal transport: HTML to plain text, numbered buttons, piped transcripts, files."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image

from bot.engine.engine import Engine
from bot.engine.events import Attachment, Button, Reply
from bot.library.catalog import Library
from bot.matching.pictures import open_picture
from bot.service import Service
from bot.storage.keys import AddressBox
from bot.storage.privacy import Retention
from bot.testing.person import Person, start_fixture_quiz
from bot.testing.pictures import screenshot, transformed
from bot.transports.terminal import chat, plain, render, save_attachment
from tests.conftest import Clock


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


def test_attachments_are_saved_without_overwriting(tmp_path: Path) -> None:
    first = save_attachment(tmp_path, Attachment("chart.png", b"1", photo=True))
    second = save_attachment(tmp_path, Attachment("chart.png", b"2", photo=True))
    assert first != second and first.read_bytes() == b"1" and second.read_bytes() == b"2"
    assert first.stat().st_mode & 0o777 == 0o600


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
        ["/lessons", "1", "1", "2", "2", "1", "1", "1", "4", "1", "2", "1", "sift", "1"],
        files,
    )
    assert "2.5 out of 4" in out, out
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
    # The reminder follows the menu's five buttons; its own button works like any other.
    later = session(["/menu", "6"])
    reminder = later.split("is due for review", 1)
    assert len(reminder) == 2 and "[6] 🔁 Review" in reminder[1]
    assert "Time to review" in reminder[1]
    assert later.count("is due for review") == 1  # the other person's stays theirs
    assert service.queue_reminders() == 1 and len(service.claim_outbox(10)) == 1


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
