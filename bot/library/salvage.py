"""What is left of an item that failed validation, so the rest of it can still be checked.

An educator fixes a batch of problems per round trip. If a misspelled key made the whole lesson
invalid, the lesson's over-long card would only be reported after the key was fixed; if one
broken question made a quiz invalid, its broken `lesson:` reference would hide until then. So
the parts validation complained about are removed (an unknown key, a bad value, a question that
lacks a key) until the rest validates, and the checks that need a whole item run on that rest.
The list items removed are returned in order, so later problems still name the file's own
paths. Nothing salvaged reaches a running bot: a library with problems is never served.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.library.yamlread import KeyPath

MAX_ROUNDS = 20
Removed = tuple[tuple[KeyPath, int], ...]


def salvage(
    model: type[BaseModel], data: dict[str, Any], errors: list[Any]
) -> tuple[BaseModel, Removed] | None:
    """The item without the failing parts and the list items removed on the way, or None when
    what failed cannot be removed (a key the item must have, or a failure of the whole item)."""
    data = copy.deepcopy(data)
    removed: list[tuple[KeyPath, int]] = []
    for _ in range(MAX_ROUNDS):
        targets: dict[KeyPath, None] = {}
        for error in errors:
            target = _removable(data, tuple(error["loc"]), missing=error["type"] == "missing")
            if target is None:
                return None
            targets[target] = None
        # Deepest and last first, so removing one does not move another still to be removed.
        for target in sorted(targets, key=_removal_order, reverse=True):
            parent: Any = data
            for part in target[:-1]:
                parent = parent[part]
            last = target[-1]
            if isinstance(parent, dict):
                parent.pop(last, None)
            else:
                del parent[last]
                assert isinstance(last, int)
                removed.append((target[:-1], last))
        try:
            return model.model_validate(data), tuple(removed)
        except ValidationError as exc:
            errors = exc.errors()
    return None


def _removal_order(path: KeyPath) -> tuple[int, tuple[tuple[int, str], ...]]:
    return len(path), tuple((part, "") if isinstance(part, int) else (-1, part) for part in path)


def _removable(data: Any, loc: KeyPath, *, missing: bool) -> KeyPath | None:
    """The deepest part of `loc` present in the data; for a missing key, the list item that
    lacks it. None when that is the item itself."""
    path: list[str | int] = []
    node = data
    for part in loc:
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_list or (isinstance(node, dict) and part in node)):
            continue  # a union member's name or the missing key: not in the data
        path.append(part)
        node = node[part]
    if missing:
        # Remove the list item that lacks the key; a mapping outside a list cannot go.
        while path and not isinstance(path[-1], int):
            path.pop()
    return tuple(path) if path else None
