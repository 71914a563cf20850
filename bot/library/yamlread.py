"""Reading educator YAML safely, remembering where every value came from.

`yaml.safe_load` blocks object construction but not alias bombs, keeps the last of two duplicate
keys silently, and forgets line numbers. This reader refuses anchors and aliases, caps the file
size, rejects duplicate keys and returns a map from key path to (line, column), so every later
error can point at the line an educator has to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 512 * 1024
# Content is a few levels deep (a form's headline's source's title); a thousand brackets would
# exhaust the parser's recursion instead of producing a located error.
MAX_DEPTH = 32

KeyPath = tuple[str | int, ...]
Positions = dict[KeyPath, tuple[int, int]]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, located as precisely as we can."""

    file: str
    line: int | None
    col: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class YamlRefusedError(Exception):
    """The file cannot be read as content; carries a located problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class _NoAliasLoader(yaml.SafeLoader):
    """A safe loader that refuses anchors and aliases, the ingredients of alias bombs, and
    nesting deeper than MAX_DEPTH."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        refused = None
        if isinstance(event, yaml.AliasEvent):
            refused = "aliases (*name) are not allowed in content files"
        elif getattr(event, "anchor", None):
            refused = "anchors (&name) are not allowed in content files"
        elif self.depth >= MAX_DEPTH:
            refused = f"nested more than {MAX_DEPTH} levels deep"
        if refused:
            raise yaml.MarkedYAMLError(problem=refused, problem_mark=event.start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def format_path(path: KeyPath) -> str:
    """`("questions", 2, "text")` -> `questions[2].text`, the form error messages use."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def read_yaml(
    path: Path,
    display: str,
    *,
    plain_scalars: bool = False,
    problems: list[Problem] | None = None,
) -> tuple[Any, Positions]:
    """Parse one content file, or raise YamlRefusedError with a located problem.

    With `plain_scalars`, every value is kept as the text written (`yes`, `True`, `1.0` stay
    strings): right for interface messages, where YAML's guessing of types only gets in the way.
    A value YAML cannot turn into what it looks like (`2026-02-30`, a 5,000-digit number) is a
    located problem: with a `problems` list it is added there and the text written is kept in
    its place, so the rest of the file is still read and checked; without one it is raised.
    """
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise YamlRefusedError(
            Problem(display, 1, None, "", f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlRefusedError(
            Problem(display, line, None, "", f"not UTF-8 (byte 0x{raw[exc.start]:02x})")
        ) from None
    return parse_yaml_text(text, display, plain_scalars=plain_scalars, problems=problems)


def parse_yaml_text(
    text: str,
    display: str,
    *,
    plain_scalars: bool = False,
    problems: list[Problem] | None = None,
) -> tuple[Any, Positions]:
    loader = _NoAliasLoader(text)
    found: list[Problem] = []
    try:
        node = loader.get_single_node()
        positions: Positions = {}
        build = _Builder(loader, positions, display, plain_scalars, found)
        data = build(node, ()) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"invalid YAML: {exc.problem or exc.context}"
        if "'\\t'" in message:
            message = "invalid YAML: a tab character; indent with spaces, not tabs"
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise YamlRefusedError(Problem(display, line, col, "", message)) from None
    except yaml.YAMLError as exc:
        raise YamlRefusedError(Problem(display, None, None, "", f"invalid YAML: {exc}")) from None
    finally:
        loader.dispose()
    if problems is not None:
        problems.extend(found)
    elif found:
        raise YamlRefusedError(found[0])
    return data, positions


class _Builder:
    """Turns a composed node tree into plain data, recording each key path's position."""

    def __init__(
        self,
        loader: yaml.SafeLoader,
        positions: Positions,
        display: str,
        plain_scalars: bool,
        problems: list[Problem],
    ) -> None:
        self.loader = loader
        self.positions = positions
        self.display = display
        self.plain_scalars = plain_scalars
        self.problems = problems

    def __call__(self, node: yaml.Node, path: KeyPath) -> Any:
        self.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self(item, (*path, index)) for index, item in enumerate(node.value)]
        if self.plain_scalars and isinstance(node, yaml.ScalarNode):
            return node.value
        return self._scalar(node, path)

    def _scalar(self, node: yaml.Node, path: KeyPath) -> Any:
        """The value of a scalar; one YAML cannot build is a problem, and its text stands in."""
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError) as exc:
            text = str(node.value)
            if node.tag.endswith(":timestamp"):
                message = f"'{text}' is not a real date ({exc}); write it as YYYY-MM-DD"
            elif node.tag.endswith(":int"):
                message = (
                    f"a number of {len(text)} digits is too long; quote it if it is meant as text"
                )
            else:
                message = f"cannot read this value ({exc})"
            mark = node.start_mark
            self.problems.append(
                Problem(self.display, mark.line + 1, mark.column + 1, format_path(path), message)
            )
            return text

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.MarkedYAMLError(
                    problem="merge keys (<<) are not allowed", problem_mark=key_node.start_mark
                )
            if isinstance(key_node, yaml.ScalarNode) and self.plain_scalars:
                key: Any = key_node.value
            else:
                key = self._scalar(key_node, (*path, str(key_node.value)[:40]))
            if isinstance(key, bool):
                key = str(key).lower()
            if not isinstance(key, str | int):
                raise yaml.MarkedYAMLError(
                    problem="keys must be plain words", problem_mark=key_node.start_mark
                )
            if key in out:
                mark = key_node.start_mark
                raise YamlRefusedError(
                    Problem(
                        self.display,
                        mark.line + 1,
                        mark.column + 1,
                        format_path((*path, key)),
                        "duplicate key",
                    )
                )
            out[key] = self(value_node, (*path, key))
            # Point at the key, not its value: that is where an educator looks.
            self.positions[(*path, key)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
        return out


def locate(positions: Positions, path: KeyPath) -> tuple[int | None, int | None]:
    """The line and column of the deepest part of `path` that exists in the file."""
    for end in range(len(path), -1, -1):
        found = positions.get(tuple(path[:end]))
        if found is not None:
            return found
    return None, None
