"""Cutting long HTML: every piece valid on its own (judged by the independent checker), within
the limit, cut at the coarsest boundary available, and nothing of the text lost."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.testing.fakebotapi import assert_valid_html, visible_text
from bot.transports.telegram._html import (
    _atoms,
    _cut,
    _units,
    plain_text,
    split_html,
    visible_length,
)


def _words(pieces: list[str]) -> list[str]:
    return " ".join(visible_text(piece) for piece in pieces).split()


def test_short_text_is_one_piece() -> None:
    assert split_html("  <b>Hi</b> &amp; bye \n", 4096) == ["<b>Hi</b> &amp; bye"]


def test_blank_text_is_no_piece() -> None:
    assert split_html(" \n\n <b> </b>", 4096) == []


def test_cuts_at_paragraphs_first() -> None:
    text = "\n\n".join(["one two three", "four five six", "seven eight"])
    assert split_html(text, 30) == ["one two three\n\nfour five six", "seven eight"]


def test_cuts_at_lines_then_spaces_when_a_paragraph_is_too_long() -> None:
    assert split_html("aaaa bbbb\ncccc dddd", 12) == ["aaaa bbbb", "cccc dddd"]
    assert split_html("aaaa bbbb cccc dddd", 12) == ["aaaa bbbb", "cccc dddd"]


def test_cuts_anywhere_when_there_is_no_boundary() -> None:
    assert split_html("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_open_tags_are_closed_and_reopened_with_their_attributes() -> None:
    text = '<blockquote><a href="https://e.org/?a=1&amp;b=2">' + "word " * 6 + "</a></blockquote>"
    pieces = split_html(text, 12)
    assert len(pieces) > 1
    for piece in pieces:
        assert_valid_html(piece, 12)
        assert piece.startswith('<blockquote><a href="https://e.org/?a=1&amp;b=2">')
        assert piece.endswith("</a></blockquote>")


def test_entities_count_as_one_character_and_are_never_cut() -> None:
    text = "&lt;&gt;" * 10
    pieces = split_html(text, 4)
    assert all(piece == "&lt;&gt;&lt;&gt;" for piece in pieces)
    assert visible_length(text) == 20


def test_length_is_counted_in_utf16_units_like_telegram() -> None:
    assert visible_length("😀") == 2
    assert split_html("😀😀😀", 4) == ["😀😀", "😀"]


def test_a_tag_is_not_left_dangling_at_the_end_of_a_piece() -> None:
    pieces = split_html("aaaa <b>bbbb</b>", 6)
    assert pieces == ["aaaa", "<b>bbbb</b>"]


def test_plain_text_drops_tags_and_entities() -> None:
    assert plain_text("<b>Check</b> &amp; share") == "Check & share"


_FRAGMENTS = st.one_of(
    st.text(alphabet="ab é😀", min_size=1, max_size=12).map(html.escape),
    st.sampled_from(["\n", "\n\n", " ", "&amp;", "&lt;", "&#128512;"]),
)


@st.composite
def _markup(draw: st.DrawFn) -> str:
    """Balanced Telegram HTML built from text, breaks and nested tags."""
    parts = []
    for _ in range(draw(st.integers(1, 12))):
        inner = "".join(draw(st.lists(_FRAGMENTS, min_size=1, max_size=8)))
        tag = draw(st.sampled_from(["", "b", "i", "u", "s", "code", "blockquote", "a"]))
        if tag == "a":
            parts.append(f'<a href="https://example.org/x?y=1&amp;z=2">{inner}</a>')
        elif tag == "blockquote":
            parts.append(f"<blockquote><i>{inner}</i></blockquote>")
        elif tag:
            parts.append(f"<{tag}>{inner}</{tag}>")
        else:
            parts.append(inner)
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(_markup(), st.integers(min_value=4, max_value=60))
def test_every_piece_is_valid_within_the_limit_and_no_word_is_lost(text: str, limit: int) -> None:
    pieces = split_html(text, limit)
    for piece in pieces:
        assert_valid_html(piece, limit)
    joined = "".join(_words(pieces))
    assert joined == "".join(visible_text(text).split())
    assert not any(re.search(r"<(\w+)[^>]*></\1>", piece) for piece in pieces)


def _unbalanced(text: str, where: int, stray: str) -> str:
    """`text` with one tag taken out or a stray one put in."""
    tags = [m.span() for m in re.finditer(r"<[^<>]*>", text)]
    if tags and where % 2:
        start, end = tags[where % len(tags)]
        return text[:start] + text[end:]
    return text[: where % (len(text) + 1)] + stray + text[where % (len(text) + 1) :]


@settings(max_examples=300, deadline=None)
@given(
    st.builds(_unbalanced, _markup(), st.integers(0, 99), st.sampled_from(["<b>", "</i>", "<>"]))
    | _markup(),
    st.integers(min_value=4, max_value=4096),
)
def test_a_text_that_fits_comes_out_as_the_cutter_would_make_it(text: str, limit: int) -> None:
    markup = text.strip()
    assert visible_length(markup) == sum(atom.units for atom in _atoms(markup))
    assert visible_length(markup) <= _units(markup)  # what lets split_html skip counting
    assert split_html(text, limit) == _cut(markup, limit)
