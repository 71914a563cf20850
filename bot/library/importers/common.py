"""What both importers share: the report of what was kept and skipped, ids made from titles,
HTML reduced to plain text, and writing items as plain content YAML.

Imported items are kept as ordered dicts in the key order the content guide uses, because they are
written for people to read and edit; each is validated against the content models before it is
kept, so a file the importer writes is one the loader accepts.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ValidationError

from bot.library.loader import YAML_SUFFIXES
from bot.library.schema import ID_PATTERN
from bot.library.yamlread import YamlRefusedError, read_yaml

ID_CHARS = 40
Kind = Literal["quizzes", "factchecks"]
Item = dict[str, Any]

_ID = re.compile(ID_PATTERN)
# Russian and Ukrainian letters in Latin script, so that ids made from such titles stay readable.
_LATIN = "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya i yi ye g u"
_CYRILLIC = {
    char: latin.strip("_")
    for char, latin in zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў", _LATIN.split(), strict=True)
}


@dataclass(frozen=True)
class Entry:
    """Something to tell the importer's user about one source entry: a GIFT line or the n-th
    ClaimReview in the file."""

    message: str
    line: int | None = None
    item: int | None = None

    @property
    def where(self) -> str:
        if self.line is not None:
            return f"line {self.line}"
        if self.item is not None:
            return f"item {self.item}"
        return ""


@dataclass
class Parsed:
    """Validated items ready to write, the entries that were skipped, and notes on kept ones."""

    kind: Kind
    items: list[Item] = field(default_factory=list)
    skipped: list[Entry] = field(default_factory=list)
    notes: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Written:
    path: Path
    item: Item
    renamed_from: str | None = None


@dataclass
class Outcome:
    """What an import wrote, and which of its earlier files it kept because they were edited."""

    written: list[Written] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


# The first line of every imported file: a fingerprint of the rest, so that a later import can
# tell a file nobody touched (safe to replace) from one an educator edited (kept).
_HEADER = re.compile(r"^# imported by civicbot content import; fingerprint ([0-9a-f]{16})\n")


def _fingerprint(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def with_header(body: str) -> str:
    """`body` (an item's YAML) behind the line that records its fingerprint."""
    header = f"# imported by civicbot content import; fingerprint {_fingerprint(body)}\n"
    # The rest of the header says what the line is for, in the file itself.
    return (
        header
        + "# Edit freely: a later import keeps an edited file unless run with --force.\n"
        + body
    )


def unedited(path: Path) -> bool:
    """Whether the file at `path` is exactly as an import wrote it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    match = _HEADER.match(text)
    if match is None:
        return False
    rest = text[match.end() :]
    note, newline, body = rest.partition("\n")
    return bool(newline) and note.startswith("# ") and _fingerprint(body) == match.group(1)


def slugify(text: str, fallback: str, limit: int = ID_CHARS) -> str:
    """A content id made from `text`: lower-case ASCII words joined by hyphens, cut at a word
    boundary to `limit` characters; `fallback` when nothing usable is left."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(_CYRILLIC.get(char, char) for char in folded)
    ascii_only = letters.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")
    if len(slug) > limit:
        cut = slug[: limit + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else slug[:limit]
        slug = slug.strip("-")
    return slug if _ID.match(slug) else fallback


def with_prefix(prefix: str, slug: str) -> str:
    """`slug` behind `prefix` (joined by a hyphen unless the prefix ends in one), still an id."""
    if not prefix:
        return slug
    joiner = "" if prefix.endswith(("-", "_")) else "-"
    room = ID_CHARS - len(prefix) - len(joiner)
    return f"{prefix}{joiner}{slug[:room].strip('-')}".strip("-_")


def valid_id(text: str) -> bool:
    return _ID.match(text) is not None


def unique_id(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever is not taken yet; the result is taken."""
    candidate, number = base, 2
    while candidate in taken:
        suffix = f"-{number}"
        candidate = base[: ID_CHARS - len(suffix)].rstrip("-_") + suffix
        number += 1
    taken.add(candidate)
    return candidate


def ending(text: str) -> str:
    """`text` as the end of a sentence: a full stop added unless it already ends in one."""
    text = text.strip()
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-") + "…"


def tidy(text: str) -> str:
    """Runs of spaces reduced to one, spaces around line breaks and extra blank lines removed."""
    lines = [" ".join(line.split()) for line in text.replace("\r", "").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class _HtmlText(HTMLParser):
    """Question and review HTML as plain text: block ends become line breaks, tags are dropped,
    entities decoded, scripts and styles left out."""

    BLOCKS = frozenset(
        {"p", "div", "br", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
    )
    HIDDEN = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, _attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS and tag != "br":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(" ".join(data.split("\n")))


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return tidy("".join(parser.parts))


def looks_like_html(text: str) -> bool:
    return re.search(r"</?[a-zA-Z][^<>]*>|&[#a-zA-Z0-9]+;", text) is not None


def first_problem(model: type[BaseModel], data: Item) -> str | None:
    """The first reason `data` is not a valid `model`, in the words the content check uses."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"] if not str(part).startswith("function"))
        message = str(error["msg"]).removeprefix("Value error, ")
        return f"{where}: {message}" if where else message
    return None


class _Dumper(yaml.SafeDumper):
    """Safe YAML that never writes anchors, indents lists under their key as the content guide
    does, and writes multi-line text as `|` blocks."""

    def ignore_aliases(self, _data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        del indentless  # PyYAML passes it by name; lists are always indented here
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(item: Item) -> str:
    text: str = yaml.dump(
        item,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=1_000_000,
        default_flow_style=False,
    )
    return text


def write_items(kind: Kind, items: Sequence[Item], out: Path, force: bool = False) -> Outcome:
    """Write each item to `out/kind/<language>/<id>.yaml`.

    Writing the same import again replaces its own files, but only those nobody has edited since
    (their fingerprint line still matches): an edited file is kept and listed in `Outcome.kept`,
    unless `force`. An id that another file in `out/kind` already uses, or a file of that name
    holding another item, is never overwritten: the new item gets the next free id instead, and
    `Written.renamed_from` says so.
    """
    folder = out / kind
    existing = _existing_ids(folder)
    planned = {(item["language"], item["id"]) for item in items}
    outcome = Outcome()
    for item in items:
        language, ident = item["language"], item["id"]
        new = ident
        if not _free(existing, language, new, folder):
            taken = {i for (lang, i) in existing.keys() | planned if lang == language}
            while not _free(existing, language, new, folder):
                new = unique_id(ident, taken)
            planned.add((language, new))
        path = folder / language / f"{new}.yaml"
        if path.exists() and not force and not unedited(path):
            outcome.kept.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(with_header(dump_yaml({**item, "id": new})), encoding="utf-8")
        existing[(language, new)] = path
        outcome.written.append(Written(path, {**item, "id": new}, None if new == ident else ident))
    return outcome


def _free(existing: dict[tuple[str, str], Path], language: str, ident: str, folder: Path) -> bool:
    """Whether (language, ident) can be written to its file without duplicating an id or
    overwriting another item; its own earlier import may be replaced."""
    path = folder / language / f"{ident}.yaml"
    owner = existing.get((language, ident))
    if owner is not None:
        return owner.resolve() == path.resolve()
    return not path.exists()


def _existing_ids(folder: Path) -> dict[tuple[str, str], Path]:
    found: dict[tuple[str, str], Path] = {}
    for path in _yaml_files(folder):
        try:
            data, _ = read_yaml(path, str(path))
        except (YamlRefusedError, OSError):
            continue
        if isinstance(data, dict):
            key = (str(data.get("language")), str(data.get("id")))
            found.setdefault(key, path)
    return found


def _yaml_files(folder: Path) -> Iterable[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in YAML_SUFFIXES)
