"""Editors' reviews that cannot go stale: a review records who read an item, when, and a
fingerprint of what they read. The fingerprint is taken over the item's values (not its YAML
layout), so re-indenting a file keeps the review while changing a word, a source or a verdict
ends it.

`stamp` writes a review into the item's own file, so it is seen (and can be questioned) in the
same git diff as the text it vouches for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

from pydantic import BaseModel

from bot.library.schema import Review

_TOP_LEVEL_REVIEWED = re.compile(r"^reviewed:.*(?:\n(?:[ \t]+.*|[ \t]*))*", re.MULTILINE)


def fingerprint(item: BaseModel) -> str:
    """A fingerprint of everything an item says, its review aside."""
    values = item.model_dump(mode="json", exclude={"reviewed"})
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def review_holds(item: BaseModel) -> bool:
    """Whether the item has a review and its text is still the one reviewed."""
    review = getattr(item, "reviewed", False)
    return isinstance(review, Review) and review.fingerprint == fingerprint(item)


def stamp(path: Path, item: BaseModel, by: str, on: dt.date) -> Review:
    """Record a review of `item` (loaded from `path`) by `by` on `on` in the file itself: any
    earlier top-level `reviewed:` entry is replaced, other lines and comments are kept."""
    review = Review(by=by, date=on, fingerprint=fingerprint(item))
    text = path.read_text(encoding="utf-8")
    entry = (
        "reviewed:\n"
        f"  by: {json.dumps(review.by, ensure_ascii=False)}\n"
        f"  date: {review.date.isoformat()}\n"
        f"  fingerprint: {review.fingerprint}\n"
    )
    kept = _TOP_LEVEL_REVIEWED.sub("", text).rstrip("\n")
    path.write_text(f"{kept}\n{entry}", encoding="utf-8")
    return review
