"""A right-to-left language added by an educator alone: a locale file marked `direction: rtl`
and content in that language. Messages are marked right-to-left, Persian claims find their
fact-check, and nothing else needs to change."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from bot.config import Settings
from bot.engine.content import Content
from bot.engine.engine import Engine
from bot.library.loader import load_library
from bot.storage.unit import Store
from bot.testing.person import Person
from bot.texts.templates import RLM
from tests.conftest import TESTS, UNLIMITED, Clock

RTL = TESTS / "fixtures" / "rtl"


def persian_library(root: Path) -> Path:
    shutil.copytree(RTL / "factchecks", root / "factchecks" / "fa")
    english = yaml.safe_load((root / "locales" / "en.yaml").read_text(encoding="utf-8"))
    persian = yaml.safe_load((RTL / "fa-messages.yaml").read_text(encoding="utf-8"))
    for group, messages in persian.items():
        english["messages"][group].update(messages)
    english["language"] = "fa"
    english["info"] = {"name": "فارسی", "direction": "rtl"}
    (root / "locales" / "fa.yaml").write_text(
        yaml.safe_dump(english, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return root


def test_persian_speaker_gets_right_to_left_answers(
    library_dir: Path, db_engine: object, clock: Clock
) -> None:
    root = persian_library(library_dir)
    result = load_library(root)
    assert result.ok, result.problems
    content = Content.build(result.library, "en", Settings().matching.thresholds)
    engine = Engine(Store(db_engine), content, clock, UNLIMITED)  # type: ignore[arg-type]
    person = Person(engine, language="fa")
    person.say("/start")
    person.press("فارسی")
    out = person.say("دکل‌های ۵G باعث کووید-۱۹ می‌شوند")
    reply = person.replies[0].text
    assert reply.startswith(RLM)
    assert "نادرست" in out and "ویروس‌ها نمی‌توانند" in out
    # The English speaker is untouched: no marks in left-to-right messages.
    english = Person(engine, "e" * 64, language="en")
    english.say("/start")
    english.press("English")
    english.say("5G mobile networks spread the coronavirus")
    assert not english.replies[0].text.startswith(RLM)
