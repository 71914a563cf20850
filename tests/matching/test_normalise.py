"""Folding and tokenisation: the same claim in any case, accent, digit script or keyboard variant
must produce the same tokens, in every script the bot is used in."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.matching.normalise import fold, split_folded, tokenize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HELLO World", "hello world"),
        ("Café crème brûlée", "cafe creme brulee"),
        ("Straße", "strasse"),
        ("Ｆｕｌｌｗｉｄｔｈ ｔｅｘｔ", "fullwidth text"),  # NFKC
        ("fake!!! news??? 😱😱🔥 #share", "fake news share"),
        ("🇺🇦 flag 👍🏽 thumbs", "flag thumbs"),
        ("Trump's tweet, don't share", "trump tweet dont share"),
        ("1,000,000 people and 3.5%", "1000000 people and 3.5"),
        ("٣٤ and ۱۲ and १२", "34 and 12 and 12"),  # Arabic, Persian and Devanagari digits
        ("line\nbreak\ttab", "line break tab"),
        ("", ""),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_cyrillic_case_and_yo() -> None:
    assert tokenize("ВАКЦИНА Содержит ЧИП, ёлка") == ["вакцина", "содержит", "чип", "елка"]


def test_persian_and_arabic_letter_variants_agree() -> None:
    # Arabic yeh and kaf (ي ك) against Persian yeh and keheh (ی ک), with and without harakat.
    arabic_keyboard = "واكسن كرونا باعث عقيم شدن مي شود"
    persian_keyboard = "واکسن کرونا باعث عقیم شدن می شود"
    assert tokenize(arabic_keyboard) == tokenize(persian_keyboard)
    assert tokenize("كِتَاب") == tokenize("کتاب")


def test_persian_zero_width_non_joiner_separates_word_parts() -> None:
    assert tokenize("می‌شود") == ["می", "شود"]
    assert tokenize("مسئله") == tokenize("مسیله")  # hamza seat folded away


def test_tatweel_is_not_a_letter() -> None:
    assert tokenize("كـــتاب") == tokenize("كتاب")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("疫苗含有芯片", ["疫苗", "苗含", "含有", "有芯", "芯片"]),
        ("芯", ["芯"]),
        ("ワクチン", ["ワク", "クチ", "チン"]),
        ("iPhone手机 2020年", ["iphone", "手机", "2020", "年"]),
        ("한국어 문장", ["한국어", "문장"]),  # Hangul is written with spaces
    ],
)
def test_unspaced_scripts_become_character_pairs(text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected


def test_split_folded_plain_text_is_whitespace_split() -> None:
    assert split_folded("a b 3.5 c") == ["a", "b", "3.5", "c"]


@given(st.text(max_size=200))
def test_fold_is_idempotent_and_clean(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert once == once.strip()
    assert "  " not in once
