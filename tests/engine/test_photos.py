"""Pictures people send, as the engine sees them (words read and hashes, never the picture):
a known picture is answered by its fact-check, read words are checked like a message, and a
picture nothing can be made of gets a clear line."""

from __future__ import annotations

from sqlalchemy import Engine as DbEngine
from sqlalchemy import text

from bot.engine.engine import Engine
from bot.engine.events import PictureProblem, SeenPicture
from bot.library.catalog import Library
from bot.matching.pictures import open_picture, picture_hashes
from bot.testing.person import Person
from bot.testing.pictures import picture, transformed

KNOWN = "fake-surrender-photo.png"


def _hashes_of_copy(library: Library, kind: int) -> tuple[int, ...]:
    original = open_picture((library.root / "images" / KNOWN).read_bytes())
    return picture_hashes(open_picture(transformed(original, kind)))


def test_a_copy_of_a_checked_picture_gets_its_factcheck(engine: Engine, library: Library) -> None:
    person = Person(engine)
    said = person.send_picture(SeenPicture(text="", hashes=_hashes_of_copy(library, 2)))
    assert "Zelensky told Ukrainian soldiers" in said
    assert any("Helpful" in label for label in person.labels())


def test_read_words_are_checked_with_the_caption(engine: Engine) -> None:
    person = Person(engine)
    unrelated = picture_hashes(picture(99))
    said = person.send_picture(
        SeenPicture(text="BREAKING 5G mobile networks spread the coronavirus", hashes=unrelated)
    )
    assert "5G mobile networks spread the coronavirus" in said
    said = person.send_picture(SeenPicture(text="networks spread", hashes=()), caption="5G mobile")
    assert "coronavirus" in said


def test_without_a_text_reader_the_caption_is_checked(engine: Engine) -> None:
    person = Person(engine)
    said = person.send_picture(SeenPicture(text=None), caption="5G towers cause COVID-19")
    assert "5G mobile networks spread the coronavirus" in said
    said = person.send_picture(SeenPicture(text=None))
    assert "I can only read text here; please send the words" in said


def test_a_picture_without_words_or_match_gets_the_honest_answer(engine: Engine) -> None:
    said = Person(engine).send_picture(SeenPicture(text="", hashes=picture_hashes(picture(7))))
    assert "I have no fact-check for this picture" in said


def test_a_picture_that_could_not_be_read_gets_a_clear_line(engine: Engine) -> None:
    person = Person(engine)
    assert "too big" in person.send_picture(SeenPicture(problem=PictureProblem.TOO_BIG))
    assert "could not open" in person.send_picture(SeenPicture(problem=PictureProblem.BROKEN))
    assert "too long" in person.send_picture(SeenPicture(problem=PictureProblem.SLOW))
    broken = SeenPicture(problem=PictureProblem.BROKEN)
    said = person.send_picture(broken, caption="5G towers cause COVID-19")
    assert "5G mobile networks spread the coronavirus" in said


def test_read_words_are_stored_only_when_sent_to_the_editors(
    engine: Engine, db_engine: DbEngine
) -> None:
    person = Person(engine)
    words = "the mayor sold the city river to a foreign company last night"
    person.send_picture(SeenPicture(text=words, hashes=picture_hashes(picture(5))))
    assert words not in _everything(db_engine)
    person.press("Send it to the editors")
    stored = _everything(db_engine)
    assert words in stored
    assert not any(str(h) in stored for h in picture_hashes(picture(5)))


def _everything(db_engine: DbEngine) -> str:
    """Every value in every table, as text."""
    with db_engine.connect() as connection:
        names = [
            row[0]
            for row in connection.execute(
                text(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = current_schema()"
                )
                if db_engine.dialect.name == "postgresql"
                else text("SELECT name FROM sqlite_master WHERE type = 'table'")
            )
        ]
        rows = [
            repr(list(r))
            for name in names
            for r in connection.execute(text(f'SELECT * FROM "{name}"'))
        ]
    return "\n".join(rows)
