"""Ids made from titles, plain text from HTML, and files written without clobbering others."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.library.importers.common import (
    Item,
    dump_yaml,
    html_to_text,
    shorten,
    slugify,
    unique_id,
    with_prefix,
    write_items,
)
from bot.library.schema import ID_PATTERN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Civic education / Elections", "civic-education-elections"),
        ("Café déjà vu", "cafe-deja-vu"),
        ("Выборы и наблюдатели", "vybory-i-nablyudateli"),
        ("Підготовка до виборів", "pidgotovka-do-viboriv"),
        ("5G mobile networks spread the coronavirus", "5g-mobile-networks-spread-the"),
        ("选举", "fallback"),
        ("!!!", "fallback"),
        ("x" * 60, "x" * 40),
    ],
)
def test_slugify(text: str, expected: str) -> None:
    slug = slugify(text, "fallback")
    assert slug == expected
    assert len(slug) <= 40


def test_unique_ids_and_prefixes_stay_valid_ids() -> None:
    taken: set[str] = set()
    base = "a" * 40
    ids = [unique_id(base, taken) for _ in range(12)]
    assert len(set(ids)) == 12
    assert ids[1] == "a" * 38 + "-2" and ids[11] == "a" * 37 + "-12"
    assert with_prefix("moodle", "elections") == "moodle-elections"
    assert with_prefix("m_", "elections") == "m_elections"
    long = with_prefix("p" * 30, "a-long-category-name-here")
    assert len(long) <= 40
    assert all(re.match(ID_PATTERN, i) for i in [*ids, long])


def test_html_to_text() -> None:
    html = "<p>One &amp; <b>two</b></p><ul><li>three</li><li>four</li></ul><script>x()</script>"
    assert html_to_text(html) == "One & two\n\nthree\n\nfour"
    assert html_to_text("line<br>next") == "line\nnext"


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("short", 10) == "short"
    cut = shorten("one two three four five", 12)
    assert cut == "one two…" and len(cut) <= 12


def test_dump_is_plain_yaml_without_anchors() -> None:
    shared = ["same"]
    item: Item = {
        "id": "x",
        "text": "first line\nsecond: line",
        "a": shared,
        "b": shared,
        "c": "yes",
    }
    text = dump_yaml(item)
    assert "&" not in text and "*" not in text
    assert "text: |-\n  first line\n  second: line\n" in text
    assert "a:\n  - same\n" in text
    assert yaml.safe_load(text) == item


def quiz(ident: str, title: str = "T") -> Item:
    return {"id": ident, "language": "en", "title": title, "questions": []}


def test_write_replaces_its_own_files_and_never_another_item(tmp_path: Path) -> None:
    first = write_items("quizzes", [quiz("elections")], tmp_path).written
    assert first[0].path == tmp_path / "quizzes" / "en" / "elections.yaml"
    again = write_items("quizzes", [quiz("elections", "New title")], tmp_path).written
    assert again[0].path == first[0].path and again[0].renamed_from is None
    assert "New title" in first[0].path.read_text()
    # An item someone wrote by hand elsewhere owns the id: the import takes the next one.
    (tmp_path / "quizzes" / "mine.yaml").write_text("id: media\nlanguage: en\n")
    # A file at the target path that holds something else is not overwritten either.
    (tmp_path / "quizzes" / "en" / "rights.yaml").write_text("id: other\nlanguage: en\n")
    written = write_items(
        "quizzes", [quiz("media"), quiz("rights"), quiz("media-2")], tmp_path
    ).written
    assert [(w.item["id"], w.renamed_from) for w in written] == [
        ("media-3", "media"),
        ("rights-2", "rights"),
        ("media-2", None),
    ]
    assert (tmp_path / "quizzes" / "mine.yaml").read_text() == "id: media\nlanguage: en\n"
    assert "id: other" in (tmp_path / "quizzes" / "en" / "rights.yaml").read_text()
    assert yaml.safe_load(written[0].path.read_text())["id"] == "media-3"
