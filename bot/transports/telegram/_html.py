"""Cutting Telegram HTML into messages Telegram accepts.

Telegram refuses a message longer than 4096 characters (counted after its HTML is parsed, in
UTF-16 code units) and refuses HTML whose tags do not balance. Engine replies are written as
whole texts, so a long one is cut here: at a paragraph break if there is one, else at a line
break, else at a space, else anywhere. Tags still open at a cut are closed at the end of one
message and reopened at the start of the next, so every piece is valid on its own. This module
is pure (no `telegram` import) so it is cheap to test exhaustively.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_TOKEN = re.compile(r"<[^<>]*>|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)")
# The tags among `_TOKEN`'s tokens: an entity holds no "<", so it never hides one.
_TAGS = re.compile(r"<[^<>]*>")
_BREAKS = ("\n\n", "\n", " ")
_EMPTY_ELEMENT = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?>(\s*)</\1\s*>")


@dataclass(frozen=True, slots=True)
class _Atom:
    """The smallest thing a cut may not go through: one character, one entity or one tag."""

    raw: str
    units: int
    tag: str | None = None  # the tag name, for tags
    closing: bool = False


def _units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _tag_atom(token: str) -> _Atom:
    tag = _TAG.match(token)
    name = tag.group(2).lower() if tag else ""
    return _Atom(token, 0, name, closing=bool(tag and tag.group(1)))


def _atoms(markup: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    position = 0
    for match in _TOKEN.finditer(markup):
        atoms.extend(_Atom(char, _units(char)) for char in markup[position : match.start()])
        token = match.group()
        if token.startswith("<"):
            atoms.append(_tag_atom(token))
        else:
            atoms.append(_Atom(token, _units(html.unescape(token))))
        position = match.end()
    atoms.extend(_Atom(char, _units(char)) for char in markup[position:])
    return atoms


def _visible(token: re.Match[str]) -> str:
    text = token.group()
    return "" if text.startswith("<") else html.unescape(text)


def visible_length(markup: str) -> int:
    """How long Telegram considers this HTML text to be (tags excluded, entities as one)."""
    return _units(_TOKEN.sub(_visible, markup))


def plain_text(markup: str) -> str:
    """The text a reader sees, for places that take no markup (button labels, notices)."""
    return html.unescape(re.sub(r"<[^<>]*>", "", markup))


def split_html(markup: str, limit: int) -> list[str]:
    """Pieces of `markup`, each at most `limit` long and balanced; empty pieces are dropped."""
    markup = markup.strip()
    # The common case: one piece, no atoms to build. Tags and entities only make a text
    # shorter than its markup, so a markup that fits needs no closer look.
    if _units(markup) <= limit or visible_length(markup) <= limit:
        return _whole(markup)
    return _cut(markup, limit)


def _cut(markup: str, limit: int) -> list[str]:
    atoms = _atoms(markup)
    pieces: list[str] = []
    open_tags: list[_Atom] = []
    start = 0
    while start < len(atoms):
        end = _fit(atoms, start, limit)
        if end < len(atoms):
            end = _best_cut(atoms, start, end)
        body = atoms[start:end]
        text = "".join(a.raw for a in open_tags) + "".join(a.raw for a in body)
        _track(open_tags, body)
        text += "".join(f"</{a.tag}>" for a in reversed(open_tags))
        text = _drop_empty_elements(text).strip()
        if plain_text(text).strip():
            pieces.append(text)
        start = end
        while start < len(atoms) and atoms[start].tag is None and atoms[start].raw.isspace():
            start += 1
    return pieces


def _whole(markup: str) -> list[str]:
    """`markup` as one piece, with the tags it leaves open closed, as a cut would (`_track`
    on tag names alone: this runs for nearly every message)."""
    if "<" not in markup:  # no tags to balance or to find empty; markup is stripped already
        return [markup] if ("&" not in markup and markup) or plain_text(markup).strip() else []
    open_tags: list[str] = []
    for token in _TAGS.findall(markup):
        tag = _TAG.match(token)
        name = tag.group(2).lower() if tag else ""
        if not (tag and tag.group(1)):
            open_tags.append(name)
            continue
        for index in range(len(open_tags) - 1, -1, -1):
            if open_tags[index] == name:
                del open_tags[index:]
                break
    text = markup + "".join(f"</{name}>" for name in reversed(open_tags))
    text = _drop_empty_elements(text).strip()
    return [text] if plain_text(text).strip() else []


def _fit(atoms: list[_Atom], start: int, limit: int) -> int:
    """The end of the longest run from `start` that fits (always at least one atom)."""
    used = 0
    end = start
    while end < len(atoms) and used + atoms[end].units <= limit:
        used += atoms[end].units
        end += 1
    return max(end, start + 1)


def _best_cut(atoms: list[_Atom], start: int, end: int) -> int:
    """Where to cut in (start, end]: after the coarsest break, with the closing tags that follow
    it, and before any opening tags that precede it."""
    cut = end
    for separator in _BREAKS:
        found = _last_break(atoms, start, end, separator)
        if found is not None:
            cut = found
            break
    while cut < end and atoms[cut].closing:
        cut += 1
    while cut - 1 > start and atoms[cut - 1].tag is not None and not atoms[cut - 1].closing:
        cut -= 1
    return cut


def _drop_empty_elements(text: str) -> str:
    """`<b></b>` left where a cut met a tag shows nothing; Telegram may refuse it."""
    while True:
        shorter = _EMPTY_ELEMENT.sub(r"\2", text)
        if shorter == text:
            return text
        text = shorter


def _last_break(atoms: list[_Atom], start: int, end: int, separator: str) -> int | None:
    width = len(separator)
    for cut in range(end, start + width, -1):
        if "".join(a.raw for a in atoms[cut - width : cut]) == separator:
            return cut
    return None


def _track(open_tags: list[_Atom], body: list[_Atom]) -> None:
    """Update the stack of open tags with the tags in `body`."""
    for atom in body:
        if atom.tag is None:
            continue
        if not atom.closing:
            open_tags.append(atom)
            continue
        for index in range(len(open_tags) - 1, -1, -1):
            if open_tags[index].tag == atom.tag:
                del open_tags[index:]
                break
