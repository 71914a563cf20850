"""Loader tests: broken files give exact `file:line` messages, every problem at once."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from PIL import Image

from bot.library.loader import load_library
from tests.conftest import FIXTURE_COUNTS, make_library


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def problems(root: Path) -> list[str]:
    return [str(p) for p in load_library(root, "lib").problems]


def test_fixture_library_is_clean(library_dir: Path) -> None:
    result = load_library(library_dir)
    assert result.ok, result.problems
    assert result.library.counts() == FIXTURE_COUNTS


def test_invalid_yaml_is_located(library_dir: Path) -> None:
    write(library_dir, "lessons/bad.yaml", "id: bad\ntitle: [unclosed\nlanguage: en\n")
    assert any(
        p.startswith("lib/lessons/bad.yaml:3:") and "invalid YAML" in p
        for p in problems(library_dir)
    )


def test_alias_bomb_is_refused_at_its_line(library_dir: Path) -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
    write(library_dir, "lessons/bomb.yaml", bomb)
    found = [p for p in problems(library_dir) if "bomb.yaml" in p]
    assert found == [
        "lib/lessons/bomb.yaml:1:4: invalid YAML: anchors (&name) are not allowed in content files"
    ]


def test_non_utf8_is_refused_with_line(library_dir: Path) -> None:
    (library_dir / "lessons" / "latin1.yaml").write_bytes(b"id: x\ntitle: caf\xe9\n")
    assert "lib/lessons/latin1.yaml:2: not UTF-8 (byte 0xe9)" in problems(library_dir)


def test_huge_file_is_refused(library_dir: Path) -> None:
    write(library_dir, "lessons/huge.yaml", "# " + "x" * 600_000 + "\n")
    assert any(p.startswith("lib/lessons/huge.yaml:1: file is") for p in problems(library_dir))


def test_duplicate_ids_across_files(library_dir: Path) -> None:
    shutil.copy(library_dir / "lessons/01-basics.yaml", library_dir / "lessons/03-copy.yaml")
    found = problems(library_dir)
    expected = "lib/lessons/03-copy.yaml:1:1: id: duplicate id 'basics' (en), first defined at "
    assert expected + "lib/lessons/01-basics.yaml:1" in found


def test_missing_unknown_and_wrong_keys(library_dir: Path) -> None:
    write(
        library_dir,
        "factchecks/broken.yaml",
        "language: en\nclaim: x\nverdikt: false\nverdict: maybe\nanswer: a\nexplanation: e\n"
        "sources: []\npublished: 2024-01-01\n",
    )
    found = [p for p in problems(library_dir) if "broken.yaml" in p]
    assert "lib/factchecks/broken.yaml:1:1: id: required key is missing" in found
    assert "lib/factchecks/broken.yaml:3:1: verdikt: unknown key (did you mean 'verdict'?)" in found
    assert any(
        p.startswith("lib/factchecks/broken.yaml:4:1: verdict: Input should be") for p in found
    )
    assert any(p.startswith("lib/factchecks/broken.yaml:7:1: sources:") for p in found)


def test_choice_question_without_correct_option(library_dir: Path) -> None:
    path = library_dir / "quizzes/basics-quiz.yaml"
    path.write_text(
        path.read_text().replace(
            "        correct: true\n        feedback: Yes", "        feedback: Yes"
        )
    )
    found = [p for p in problems(library_dir) if "basics-quiz" in p]
    assert found == [
        "lib/quizzes/basics-quiz.yaml:6:5: questions[0]: no option is marked correct: true"
    ]


def test_broken_references(library_dir: Path) -> None:
    path = library_dir / "lessons/02-sift.yaml"
    path.write_text(path.read_text().replace("prerequisite: basics", "prerequisite: nowhere"))
    assert "lib/lessons/02-sift.yaml:6:1: prerequisite: no lesson 'nowhere'" in problems(
        library_dir
    )


def test_text_over_telegram_limits(library_dir: Path) -> None:
    path = library_dir / "quizzes/basics-quiz.yaml"
    path.write_text(path.read_text().replace("A calm discussion", "calm " * 30))
    found = problems(library_dir)
    assert any(
        "questions[0].options[1].text: 149 characters; a button label allows 100" in p
        for p in found
    )


def test_duplicate_key_in_one_file(library_dir: Path) -> None:
    write(library_dir, "lessons/dup.yaml", "id: a\nid: b\n")
    assert "lib/lessons/dup.yaml:2:1: id: duplicate key" in problems(library_dir)


def test_file_outside_a_kind_folder(library_dir: Path) -> None:
    write(library_dir, "stray.yaml", "id: x\n")
    assert any(
        p.startswith("lib/stray.yaml: content files belong in one of")
        for p in problems(library_dir)
    )


def test_missing_translation_and_template_errors(tmp_path: Path) -> None:
    root = make_library(tmp_path, {"de": "Deutsch"})
    de = root / "locales/de.yaml"
    text = de.read_text().replace("    stale_notice: That button is out of date.\n", "")
    de.write_text(text.replace("Choose your language.", "'{{ broken'"))
    found = [p for p in problems(root) if "de.yaml" in p]
    assert any("messages: missing translation of 'errors.stale_notice'" in p for p in found)
    assert any("messages.start.choose_language: template error:" in p for p in found)


def test_every_problem_reported_in_one_run(library_dir: Path) -> None:
    write(library_dir, "lessons/bad.yaml", "id: [\n")
    write(library_dir, "lessons/bomb.yaml", "a: &a [1]\nb: *a\n")
    (library_dir / "lessons/latin1.yaml").write_bytes(b"id: \xff\n")
    shutil.copy(library_dir / "factchecks/5g-covid.yaml", library_dir / "factchecks/5g-copy.yaml")
    write(library_dir, "quizzes/noid.yaml", "language: en\ntitle: t\nquestions: []\n")
    found = problems(library_dir)
    for name in ("bad.yaml", "bomb.yaml", "latin1.yaml", "5g-copy.yaml", "noid.yaml"):
        assert any(name in p for p in found), name


def test_unknown_technique_tag(library_dir: Path) -> None:
    path = library_dir / "quizzes/basics-quiz.yaml"
    path.write_text(path.read_text().replace("techniques: [sift]", "techniques: [sfit]"))
    found = [p for p in problems(library_dir) if "basics-quiz" in p]
    assert len(found) == 1
    assert "questions[3].techniques: unknown tag 'sfit'" in found[0]


def test_plurals_are_checked_against_the_languages_rules(tmp_path: Path) -> None:
    root = make_library(tmp_path, {"ru": "Русский"})
    en = root / "locales/en.yaml"
    en.write_text(en.read_text().replace("Choose your language.", "\"Day{{ 's' if 2 != 1 }}\""))
    ru = root / "locales/ru.yaml"
    ru.write_text(
        ru.read_text().replace("Выберите язык.", "\"{{ 5 | plural(one='день', other='дней') }}\"")
    )
    found = [p for p in problems(root) if "start.choose_language" in p]
    assert any("en.yaml" in p and "plural filter, not a formula" in p for p in found)
    assert any("ru.yaml" in p and "missing few, many" in p for p in found)
    assert len(found) == 2


@pytest.mark.parametrize(
    ("date", "reason"),
    [("2026-13-45", "month must be in 1..12"), ("2026-02-30", "day is out of range for month")],
)
def test_impossible_date_is_a_located_problem(library_dir: Path, date: str, reason: str) -> None:
    path = library_dir / "factchecks/5g-covid.yaml"
    text = path.read_text()
    path.write_text(re.sub(r"published: \S+", f"published: {date}", text))
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("published:"))
    write(library_dir, "lessons/other.yaml", "id: other\n")  # another file's problem still shows
    found = problems(library_dir)
    assert (
        f"lib/factchecks/5g-covid.yaml:{line}:12: published: '{date}' is not a real date "
        f"({reason}); write it as YYYY-MM-DD" in found
    )
    assert [p for p in found if "5g-covid" in p and "published" in p] != []
    assert len([p for p in found if "5g-covid" in p]) == 1  # not again as "not a valid date"
    assert "lib/lessons/other.yaml:1:1: language: required key is missing" in found


def test_huge_integer_is_a_located_problem(library_dir: Path) -> None:
    write(library_dir, "lessons/big.yaml", "language: en\nid: " + "9" * 5000 + "\n")
    found = [p for p in problems(library_dir) if "big.yaml" in p]
    assert (
        "lib/lessons/big.yaml:2:5: id: a number of 5000 digits is too long; quote it if it "
        "is meant as text" in found
    )


@pytest.mark.parametrize(
    "text",
    [
        "id: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "".join("  " * depth + f"k{depth}:\n" for depth in range(600)),
    ],
)
def test_deep_nesting_is_a_located_problem(library_dir: Path, text: str) -> None:
    write(library_dir, "lessons/deep.yaml", text)
    found = [p for p in problems(library_dir) if "deep.yaml" in p]
    assert len(found) == 1
    assert found[0].startswith("lib/lessons/deep.yaml:") and found[0].endswith(
        "invalid YAML: nested more than 32 levels deep"
    )


def test_a_tab_says_use_spaces(library_dir: Path) -> None:
    write(library_dir, "lessons/tab.yaml", "id: x\ncards:\n\t- text: a\n")
    assert (
        "lib/lessons/tab.yaml:3:1: invalid YAML: a tab character; indent with spaces, not tabs"
        in problems(library_dir)
    )


def test_a_mistyped_key_does_not_hide_the_files_long_card(library_dir: Path) -> None:
    path = library_dir / "lessons/01-basics.yaml"
    text = path.read_text().replace("topic:", "topik: x\ntopic:", 1)
    path.write_text(text.replace("Outrage and fear spread faster than calm facts.", "long " * 900))
    found = [p for p in problems(library_dir) if "01-basics" in p]
    assert found == [
        "lib/lessons/01-basics.yaml:4:1: topik: unknown key (did you mean 'topic'?)",
        "lib/lessons/01-basics.yaml:9:5: cards[1].text: 4499 characters; a card allows 3896: "
        "Telegram's 4096 less 200 kept for the lesson title and the card number above it",
    ]


def test_a_broken_question_does_not_hide_the_quizs_other_problems(library_dir: Path) -> None:
    path = library_dir / "quizzes/basics-quiz.yaml"
    text = path.read_text().replace("lesson: basics", "lesson: basic")
    text = text.replace("        correct: true\n        feedback: Yes", "        feedback: Yes", 1)
    path.write_text(text.replace("Urgent calls to share now", "urgent " * 20))
    found = [p for p in problems(library_dir) if "basics-quiz" in p]
    assert found == [
        "lib/quizzes/basics-quiz.yaml:4:1: lesson: no lesson 'basic' in language en "
        "(did you mean 'basics'?)",
        "lib/quizzes/basics-quiz.yaml:6:5: questions[0]: no option is marked correct: true",
        # Question 2 is reported under its own number although question 1 was set aside.
        "lib/quizzes/basics-quiz.yaml:26:9: questions[1].options[2].text: 139 characters; "
        "a button label allows 100",
    ]


def test_placeholders_fail_until_replaced(library_dir: Path) -> None:
    write(
        library_dir,
        "lessons/new.yaml",
        'id: new\nlanguage: en\ntitle: "TODO: a title"\ntopic: manipulation\ncards:\n'
        "  - text: |-\n      TODO: the first card\n",
    )
    found = [p for p in problems(library_dir) if "new.yaml" in p]
    assert found == [
        "lib/lessons/new.yaml:3:1: title: placeholder text from `content new`: replace the TODO",
        "lib/lessons/new.yaml:6:5: cards[0].text: placeholder text from `content new`: "
        "replace the TODO",
    ]
    path = library_dir / "lessons/new.yaml"
    path.write_text(path.read_text().replace("TODO: ", ""))
    assert problems(library_dir) == []


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}",
            "too much work for one message: more than 100000 loop steps",
        ),
        (
            "{{ 'a' * 2000000000 }}",
            "too much work for one message: would build 2000000000 characters; "
            "one message may build 1000000",
        ),
        (
            "{{ 'a'.ljust(2000000000) }}",
            "not allowed in a message: calling ljust() is not available in messages",
        ),
    ],
)
def test_costly_templates_are_reported_at_their_key(
    library_dir: Path, template: str, message: str
) -> None:
    en = library_dir / "locales/en.yaml"
    text = en.read_text()
    en.write_text(text.replace("Choose your language.", f'"{template}"', 1))
    line = next(i for i, row in enumerate(en.read_text().splitlines(), 1) if template in row)
    started = time.monotonic()
    found = problems(library_dir)
    assert time.monotonic() - started < 30
    assert [p for p in found if "start.choose_language" in p] == [
        f"lib/locales/en.yaml:{line}:5: messages.start.choose_language: "
        f"template, tried with sample values: {message}"
    ]


def test_a_translated_question_must_be_answered_the_same_way(tmp_path: Path) -> None:
    """Answers are stored as option positions and belong to the question in every language."""
    root = make_library(tmp_path, {"ru": "Русский"})
    (root / "lessons/ru").mkdir()
    (root / "quizzes/ru").mkdir()
    lesson = (root / "lessons/01-basics.yaml").read_text(encoding="utf-8")
    write(root, "lessons/ru/01-basics.yaml", lesson.replace("language: en", "language: ru"))
    quiz = (root / "quizzes/basics-quiz.yaml").read_text(encoding="utf-8")
    same = quiz.replace("language: en", "language: ru")
    write(root, "quizzes/ru/basics-quiz.yaml", same)
    assert problems(root) == []
    swapped = same.replace(
        "      - text: A reaction before thought\n        correct: true\n",
        "      - text: A reaction before thought\n",
    ).replace(
        "      - text: A calm discussion\n",
        "      - text: A calm discussion\n        correct: true\n",
    )
    write(root, "quizzes/ru/basics-quiz.yaml", swapped.replace("answer: true", "answer: false"))
    found = problems(root)
    assert len(found) == 2, found
    assert all("ru/basics-quiz.yaml" in p and "answered differently" in p for p in found)
    assert any("questions[0]" in p for p in found), found
    assert any("questions[2]" in p for p in found), found


def test_checked_pictures_are_validated(library_dir: Path) -> None:
    fc = library_dir / "factchecks" / "zelensky-deepfake.yaml"
    images = library_dir / "images"
    (images / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (images / "notes.txt").write_text("a picture?", encoding="utf-8")
    Image.new("RGB", (300, 200), (40, 90, 200)).save(images / "flat.png")
    listed = ["missing.png", "broken.jpg", "notes.txt", "flat.png", "../../outside.png"]
    fc.write_text(
        fc.read_text(encoding="utf-8").replace(
            "  - images/fake-surrender-photo.png",
            "\n".join(f"  - images/{name}" for name in listed),
        ),
        encoding="utf-8",
    )
    found = [p for p in problems(library_dir) if "zelensky-deepfake.yaml" in p]
    assert any("images[0]: no image file 'images/missing.png'" in p for p in found), found
    assert any("images[1]:" in p and "cannot be read as a picture" in p for p in found), found
    assert any("images[2]:" in p and "not a JPEG, PNG" in p for p in found), found
    assert any("images[3]:" in p and "too plain" in p for p in found), found
    assert any("images[4]: no image file" in p for p in found), found
