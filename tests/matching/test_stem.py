"""The light stemmer conflates inflections and leaves short words and other scripts alone."""

from __future__ import annotations

import pytest

from bot.matching.stem import stem


@pytest.mark.parametrize(
    "words",
    [
        ("vaccine", "vaccines"),
        ("microchip", "microchips"),
        ("track", "tracks", "tracked", "tracking"),
        ("study", "studies"),
        ("box", "boxes"),
        ("protest", "protests"),
        ("вакцина", "вакцины", "вакцину"),
        ("содержит", "содержат"),
    ],
)
def test_inflections_share_a_stem(words: tuple[str, ...]) -> None:
    assert len({stem(word) for word in words}) == 1


@pytest.mark.parametrize("word", ["bus", "news", "was", "this", "2020", "5g", "芯片", "کتاب"])
def test_short_words_numbers_and_other_scripts_are_kept(word: str) -> None:
    assert stem(word) == word


def test_words_that_only_look_plural_keep_their_meaning() -> None:
    assert stem("news") != stem("new")
    assert stem("series") == "series" and stem("laws") == stem("law")
