"""Loading a content folder into a validated Library, collecting every problem on the way.

The loader never stops at the first problem: educators fix a whole batch per round trip, so it
reads every file, validates every item and then runs the cross-file checks, and returns all of it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.library import schema
from bot.library.catalog import Item, Library, Located
from bot.library.checks import check_library
from bot.library.review import review_holds
from bot.library.salvage import salvage
from bot.library.schema import Review
from bot.library.yamlread import (
    KeyPath,
    Positions,
    Problem,
    YamlRefusedError,
    format_path,
    locate,
    read_yaml,
)

KINDS: dict[str, type[BaseModel]] = {
    "lessons": schema.Lesson,
    "quizzes": schema.Quiz,
    "factchecks": schema.FactCheck,
    "assessments": schema.Assessment,
    "locales": schema.Locale,
}
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadResult:
    library: Library
    problems: tuple[Problem, ...]
    # Not problems, but worth saying: reviews that no longer hold because the item changed.
    notes: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


class ContentError(Exception):
    """Raised by `load_library_or_raise` when the content has problems."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def load_library(root: Path, display_root: str | None = None) -> LoadResult:
    """Read and check everything under `root`. Paths in problems start with `display_root`."""
    shown = display_root if display_root is not None else str(root)
    problems: list[Problem] = []
    notes: list[Problem] = []
    items: list[Located[Any]] = []
    if not root.is_dir():
        problem = Problem(shown, None, None, "", "content folder not found")
        return LoadResult(Library.empty(root), (problem,))
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in YAML_SUFFIXES:
            continue
        rel = path.relative_to(root)
        display = str(Path(shown) / rel)
        kind = rel.parts[0] if len(rel.parts) > 1 else ""
        model = KINDS.get(kind)
        if model is None:
            folders = ", ".join(f"{name}/" for name in KINDS)
            problems.append(
                Problem(display, None, None, "", f"content files belong in one of: {folders}")
            )
            continue
        read_problems: list[Problem] = []
        try:
            data, positions = read_yaml(
                path, display, plain_scalars=kind == "locales", problems=read_problems
            )
        except YamlRefusedError as refused:
            problems.append(refused.problem)
            continue
        item, item_problems, errors = _validate(model, data, positions, display)
        # A value YAML could not read is reported once, not again as the wrong type.
        unreadable = {(p.line, p.key) for p in read_problems}
        problems += read_problems
        problems += [p for p in item_problems if (p.line, p.key) not in unreadable]
        problems += placeholders(data, positions, display)
        if item is not None:
            item = _unless_stale(item, positions, display, notes)
            items.append(Located(item, display, positions))
        elif item_problems and isinstance(data, dict):
            rest = salvage(model, data, errors)
            if rest is not None:
                items.append(Located(rest[0], display, positions, rest[1]))
    library = Library.from_items(root, items)
    problems.extend(check_library(library, items))
    return LoadResult(library, tuple(sorted(set(problems), key=_problem_order)), tuple(notes))


def _unless_stale(item: Item, positions: Positions, display: str, notes: list[Problem]) -> Item:
    """The item, counted as unreviewed when its text changed since its review."""
    review = getattr(item, "reviewed", False)
    if not isinstance(review, Review) or review_holds(item):
        return item
    line, col = locate(positions, ("reviewed",))
    notes.append(
        Problem(
            display,
            line,
            col,
            "reviewed",
            f"changed since {review.by} reviewed it on {review.date.isoformat()}: counts as "
            "unreviewed until reviewed again",
        )
    )
    return item.model_copy(update={"reviewed": False})


def load_library_or_raise(root: Path, display_root: str | None = None) -> Library:
    result = load_library(root, display_root)
    if not result.ok:
        raise ContentError(result.problems)
    return result.library


def _problem_order(problem: Problem) -> tuple[str, int, int, str, str]:
    return (problem.file, problem.line or 0, problem.col or 0, problem.key, problem.message)


PLACEHOLDER = "TODO"


def placeholders(data: Any, positions: Positions, display: str) -> Iterator[Problem]:
    """Text still as `content new` wrote it: every such value starts with TODO."""
    stack: list[tuple[KeyPath, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack += [((*path, key), child) for key, child in value.items()]
        elif isinstance(value, list):
            stack += [((*path, index), child) for index, child in enumerate(value)]
        elif isinstance(value, str) and value.lstrip().startswith(PLACEHOLDER):
            line, col = locate(positions, path)
            message = f"placeholder text from `content new`: replace the {PLACEHOLDER}"
            yield Problem(display, line, col, format_path(path), message)


def validate_item(
    model: type[BaseModel], data: Any, positions: Positions, display: str
) -> tuple[Item | None, list[Problem]]:
    item, problems, _ = _validate(model, data, positions, display)
    return item, problems


def _validate(
    model: type[BaseModel], data: Any, positions: Positions, display: str
) -> tuple[Item | None, list[Problem], list[Any]]:
    """The item, or its problems (one line per place) and pydantic's errors, which say what
    `salvage` has to set aside."""
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        problem = Problem(display, 1, None, "", f"expected a mapping of keys, found {found}")
        return None, [problem], []
    try:
        return model.model_validate(data), [], []  # type: ignore[return-value]
    except ValidationError as exc:
        errors = exc.errors()
        problems: dict[tuple[int | None, str], Problem] = {}
        for error in errors:
            problem = _problem_from_error(error, positions, display)
            problems.setdefault((problem.line, problem.key), problem)  # one line per place
        return None, list(problems.values()), list(errors)


def _problem_from_error(error: Any, positions: Positions, display: str) -> Problem:
    path = _data_path(error["loc"], positions, missing=error["type"] == "missing")
    line, col = locate(positions, path)
    kind = error["type"]
    if kind == "missing":
        message = "required key is missing"
    elif kind == "extra_forbidden":
        message = "unknown key"
        hint = difflib.get_close_matches(str(path[-1]), _field_names(), n=1)
        if hint:
            message += f" (did you mean '{hint[0]}'?)"
    elif kind == "string_pattern_mismatch" and str(path[-1]) in {"id", "lesson", "prerequisite"}:
        message = "must be a short id: a-z, 0-9, - and _, at most 40 characters"
    else:
        message = str(error["msg"]).removeprefix("Value error, ")
    return Problem(display, line, col, format_path(path), message)


def _data_path(loc: tuple[Any, ...], positions: Positions, *, missing: bool) -> KeyPath:
    """Keep the parts of a pydantic location that are keys in the data.

    Pydantic adds the names of union members (`constrained-str`, `function-after[...]`) to a
    location; those are not in the file. A missing key is not in the file either, but it is the
    key the educator has to add, so it stays.
    """
    path: list[str | int] = []
    for index, part in enumerate(loc):
        candidate = (*path, part)
        last = index == len(loc) - 1
        if candidate in positions or (missing and last):
            path.append(part)
    return tuple(path)


def _field_names() -> list[str]:
    """Every key the content format knows: what a misspelled key is compared against."""
    names = {
        name
        for model in vars(schema).values()
        if isinstance(model, type) and issubclass(model, schema.Strict)
        for name in model.model_fields
    }
    return sorted(names)
