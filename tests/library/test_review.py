"""Editors' reviews with a fingerprint: stamped by `civicbot content review`, ended by any later
change to the item, counted by `content check`, and shown by the bot only while they hold."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine as DbEngine

from bot.cli import main
from bot.config import Settings
from bot.engine.content import Content
from bot.engine.engine import Engine
from bot.library.loader import load_library
from bot.library.review import fingerprint, review_holds
from bot.library.schema import Review
from bot.storage.unit import Store
from bot.testing.person import Person
from tests.conftest import UNLIMITED, Clock, make_library

FACTCHECK = Path("factchecks") / "5g-covid.yaml"


def review(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    code = main(["content", "review", *args, "--content", str(root)])
    out, err = capsys.readouterr()
    return code, out, err


def answer_to_5g(root: Path, db_engine: DbEngine) -> str:
    result = load_library(root)
    assert result.ok, result.problems
    content = Content.build(result.library, "en", Settings().matching.thresholds)
    engine = Engine(Store(db_engine), content, Clock(), UNLIMITED)
    return Person(engine).say("5G mobile networks spread the coronavirus")


def test_a_review_holds_until_the_text_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], db_engine: DbEngine
) -> None:
    root = make_library(tmp_path)
    code, out, err = review(capsys, root, "5g-covid", "--by", "Ana Editor", "--on", "2026-12-01")
    assert code == 0 and err == ""
    assert out.startswith(f"reviewed {root / FACTCHECK}: by Ana Editor on 2026-12-01")
    result = load_library(root)
    fc = result.library.factchecks[("en", "5g-covid")]
    assert isinstance(fc.reviewed, Review) and review_holds(fc) and result.notes == ()
    assert result.library.reviewed("en")["factchecks"] == (1, 3)
    assert "Reviewed by the editors on 2026-12-01" in answer_to_5g(root, db_engine)

    # Layout and comments are not the text: re-indenting keeps the review.
    path = root / FACTCHECK
    path.write_text("# a comment\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_library(root).library.reviewed("en")["factchecks"] == (1, 3)

    # A changed word ends it: counted unreviewed, said so in a note, and the bot says so too.
    text = path.read_text(encoding="utf-8").replace("radio waves", "radio signals")
    path.write_text(text, encoding="utf-8")
    result = load_library(root)
    assert result.ok and result.library.factchecks[("en", "5g-covid")].reviewed is False
    assert result.library.reviewed("en")["factchecks"] == (0, 3)
    assert [n.message for n in result.notes] == [
        "changed since Ana Editor reviewed it on 2026-12-01: counts as unreviewed until "
        "reviewed again"
    ]
    assert "not yet been reviewed" in answer_to_5g(root, db_engine)
    assert main(["content", "check", str(root)]) == 0
    _, err = capsys.readouterr()
    assert "5g-covid.yaml" in err and "(note)" in err

    # Reviewing again replaces the old stamp rather than adding a second one.
    assert review(capsys, root, "5g-covid", "--by", "Boris")[0] == 0
    assert path.read_text(encoding="utf-8").count("reviewed:") == 1
    again = load_library(root).library.factchecks[("en", "5g-covid")]
    assert isinstance(again.reviewed, Review) and again.reviewed.by == "Boris"
    assert again.reviewed.date == dt.date.today()


def test_lessons_quizzes_and_assessments_are_reviewed_the_same_way(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_library(tmp_path)
    for item_id in ("basics", "basics-quiz", "headlines"):
        assert review(capsys, root, item_id, "--by", "Ana")[0] == 0
    library = load_library(root).library
    assert library.reviewed("en") == {
        "lessons": (1, 2),
        "quizzes": (1, 1),
        "factchecks": (0, 3),
        "assessments": (1, 1),
    }
    quiz = library.quizzes[("en", "basics-quiz")]
    assert isinstance(quiz.reviewed, Review) and quiz.reviewed.fingerprint == fingerprint(quiz)


def test_a_date_alone_is_not_a_review(tmp_path: Path) -> None:
    root = make_library(tmp_path)
    path = root / FACTCHECK
    path.write_text(path.read_text(encoding="utf-8") + "reviewed: 2026-12-01\n", encoding="utf-8")
    problems = load_library(root).problems
    assert [(p.key, p.message) for p in problems] == [
        (
            "reviewed",
            "a date alone cannot tell whether the text changed since; record reviews with "
            "`civicbot content review ID --by NAME`",
        )
    ]


def test_review_refuses_what_it_cannot_stamp(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_library(tmp_path, {"ru": "Русский"})
    copy = (root / FACTCHECK).read_text(encoding="utf-8").replace("language: en", "language: ru")
    (root / "factchecks" / "5g-covid-ru.yaml").write_text(copy, encoding="utf-8")
    code, _, err = review(capsys, root, "5g-covid", "--by", "Ana")
    assert code == 2 and "several languages (en, ru): add --language" in err
    assert review(capsys, root, "5g-covid", "--by", "Ana", "--language", "ru")[0] == 0
    code, _, err = review(capsys, root, "no-such-item", "--by", "Ana")
    assert code == 2 and "no lesson, quiz, fact-check or assessment 'no-such-item'" in err
    code, _, err = review(capsys, root, "5g-covid", "--by", "  ", "--language", "en")
    assert code == 2 and "--by needs" in err
    code, _, err = review(capsys, root, "5g-covid", "--by", "A", "--on", "2026-02-30")
    assert code == 2 and "is not a date" in err
