"""Every interface message renders in every bundled locale, with strict undefined, to valid HTML."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from typing import Any

import pytest

from bot.config import bundled_content
from bot.engine.quizzes import FeedbackLine
from bot.learning.assessment import Scores
from bot.library.loader import load_library_or_raise
from bot.library.schema import SourceLink
from bot.storage.reports import ClaimGroup, Usage
from bot.texts.templates import OUTPUT_CAP, RenderError, Texts, make_environment, points

SOURCE = SourceLink(
    title="T <&>", publisher="P", url="https://example.org/?a=1&b=2", date=dt.date(2024, 1, 2)
)

NOW = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)

# A sample context for every message; a new message without one fails the completeness test.
SAMPLES: dict[str, dict[str, Any]] = {
    "lessons.item": {"title": "Title", "done": True},
    "quizzes.item": {"title": "Title", "done": True},
    "lessons.card": {
        "title": "T",
        "number": 1,
        "total": 3,
        "text": "x < y",
        "sources": [SOURCE],
        "prerequisite": "P",
    },
    "quiz.intro": {"title": "Q", "total": 3},
    "quiz.retry_intro": {"total": 2},
    "feedback.ask_reason": {"minutes": 10},
    "feedback.reason_stored": {"reason": "old <sources>"},
    "quiz.question": {"number": 1, "total": 2, "text": "Q?", "type": "multiple"},
    "quiz.tick": {"text": "opt", "ticked": True},
    "quiz.feedback": {
        "score": 0.5,
        "lines": [FeedbackLine("o <1>", "f", True), FeedbackLine(None, "g", False)],
        "missed": ["m"],
        "correct": ["c"],
        "explanation": "e",
    },
    "quiz.score": {
        "title": "Q",
        "right": 1,
        "partly": 1,
        "total": 2,
        "missed": 1,
        "retry": False,
    },
    "quiz.continued": {"number": 2, "total": 4},
    "chart.percent": {"value": 84.6},
    "chart.too_few": {"answers": 2, "needed": 3},
    "check.quote": {"text": "a <claim>"},
    "terminal.no_button": {"number": 9, "count": 5},
    "quiz.retry": {"missed": 2},
    "check.inline_description": {"verdict_label": "F", "answer": "a"},
    "check.answer": {
        "verdict": "false",
        "verdict_label": "F",
        "claim": "c",
        "answer": "a",
        "explanation": "e",
        "sources": [SOURCE],
        "reviewed": False,
    },
    "progress.text": {
        "lessons_done": 1,
        "lessons_total": 2,
        "done_titles": ["A"],
        "quizzes": [{"title": "Q", "right": 1, "total": 2}],
        "answers": 3,
        "right": 2,
        "streak": 2,
        "due": 3,
        "weakest": "emotional language",
        "too_few": ["polarisation"],
        "min_answers": 3,
    },
    "errors.unknown_command": {"command": "x<y"},
    "review.intro": {"total": 3},
    "reminders.due": {"count": 3},
    "admin.stats": {
        "usage": Usage(5, 4, 5, 3, 2, 20, 10, 6, 2, 2, 3, 1, ()),
        "counts": {"lessons": 12, "questions": 128, "factchecks": 62},
    },
    "admin.queue": {
        "groups": [ClaimGroup("claim <x>", 2, NOW, NOW, {"en"}, ["claim <x>"])],
        "total": 1,
    },
    "admin.broadcast_preview": {"count": 2},
    "admin.broadcast_send": {"count": 2},
    "admin.broadcast_queued": {"count": 2},
    "admin.reload": {
        "ok": False,
        "problems": ["a.yaml:1: <bad>"],
        "more": 3,
        "counts": {"lessons": 1, "questions": 2, "factchecks": 3},
    },
    "review.nothing_due": {"days": 2},
    "assessment.intro_before": {"title": "T", "intro": "I", "total": 16},
    "assessment.intro_after": {"title": "T", "intro": "I", "total": 16},
    "assessment.intro_followup": {"title": "T", "intro": "I", "total": 16},
    "assessment.item": {"number": 1, "total": 16, "text": "Headline"},
    "assessment.results": {
        "title": "T",
        "before": Scores(5, 3, 2, 0, 1, 0, 0.8),
        "after": Scores(6, 2, 4, 0.5, 2, 0.1, 0.9),
        "discernment_change": "up",
        "bias_change": "same",
        "taken": 2,
        "forms": 2,
    },
    "web.download": {"name": "civicbot-my-data.json"},
    "web.device_explain": {"minutes": 10},
    "web.device_code": {"code": "ABCD2345"},
}
_QUESTION = {"number": 1, "text": "Q <x>", "answered": 4, "right": 1, "share": 25}
SAMPLES |= {  # class quizzes in a group
    "classroom.usage": {"quizzes": [{"id": "q-1", "title": "Quiz <1>"}]},
    "classroom.unknown": {"wanted": "x<y"},
    "classroom.no_polls": {"title": "T"},
    "classroom.intro": {
        "title": "T",
        "polls": 3,
        "practice": 1,
        "seconds": 30,
        "leaderboard": True,
    },
    "classroom.poll_question": {"number": 1, "total": 4, "text": "Q"},
    "classroom.practice_only": {"number": 2, "total": 4, "text": "Q <x>"},
    "classroom.summary": {
        "title": "T",
        "early": True,
        "asked": 2,
        "total": 4,
        "voters": 4,
        "questions": [
            {**_QUESTION, "practice": False, "asked": True},
            {**_QUESTION, "number": 2, "practice": True, "asked": True, "answered": 0},
            {**_QUESTION, "number": 3, "practice": False, "asked": False, "answered": 0},
        ],
        "hardest": {"number": 1, "text": "Q", "answer": "A & B", "explanation": "E"},
    },
    "classroom.leaderboard": {"rows": [("Ana <b>", 2), ("Bo", 1)]},
}

ALLOWED_TAGS = {"b", "i", "u", "s", "a", "code", "pre", "blockquote"}


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED_TAGS, tag
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, tag


def assert_telegram_html(text: str) -> None:
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert not checker.stack


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts(load_library_or_raise(bundled_content()).locales, "en")


def test_every_message_renders_in_every_locale(texts: Texts) -> None:
    library = load_library_or_raise(bundled_content())
    for language, locale in library.locales.items():
        for key in locale.flat():
            out = texts.render(language, key, **SAMPLES.get(key, {}))
            assert out, (language, key)
            assert_telegram_html(out)


def test_values_are_escaped(texts: Texts) -> None:
    out = texts.render("en", "errors.unknown_command", command="<b>x</b>&")
    assert "&lt;b&gt;x&lt;/b&gt;&amp;" in out
    card = texts.render("en", "lessons.card", **SAMPLES["lessons.card"])
    assert "x &lt; y" in card and 'href="https://example.org/?a=1&amp;b=2"' in card


def test_missing_value_is_an_error(texts: Texts) -> None:
    with pytest.raises(RenderError):
        texts.render("en", "quiz.intro")
    with pytest.raises(RenderError):
        texts.render("en", "no.such.key")


def test_sandbox_and_output_cap() -> None:
    env = make_environment()
    huge = env.from_string("{% for i in range(5000) %}xxxxxxxxxx{% endfor %}")
    from bot.texts.sandbox import render_within_budget

    assert len(render_within_budget(huge, {}, OUTPUT_CAP)) == OUTPUT_CAP
    with pytest.raises(Exception, match=r"unsafe|not safely|access"):
        env.from_string("{{ ''.__class__.__mro__ }}").render()


def test_points() -> None:
    assert [points(2.0), points(2.5), points(1 / 3)] == ["2", "2.5", "0.33"]


@pytest.mark.parametrize(
    ("language", "counts"),
    [
        ("en", {0: "days", 1: "day", 2: "days", 11: "days", 21: "days"}),
        ("ru", {0: "дней", 1: "день", 2: "дня", 5: "дней", 11: "дней", 21: "день", 22: "дня"}),
    ],
)
def test_plurals_follow_cldr_rules(language: str, counts: dict[int, str]) -> None:
    template = make_environment().from_string(
        "{{ n | plural(one=one, few=few, many=many, other=other) }}"
    )
    forms = {"en": ("day", "days", "days", "days"), "ru": ("день", "дня", "дней", "дня")}
    one, few, many, other = forms[language]
    for n, expected in counts.items():
        got = template.render(n=n, one=one, few=few, many=many, other=other, _language=language)
        assert got == expected, (language, n)


def test_no_locale_writes_a_plural_by_hand() -> None:
    for path in (bundled_content() / "locales").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert "% 10" not in text and "!= 1" not in text, path.name


def test_the_memo_keeps_markup_and_text_apart(texts: Texts) -> None:
    from markupsafe import Markup

    escaped = texts.render("en", "errors.unknown_command", command="<b>x</b>")
    marked = texts.render("en", "errors.unknown_command", command=Markup("<b>x</b>"))
    assert "&lt;b&gt;" in escaped and "<b>x</b>" in marked
    assert texts.render("en", "errors.unknown_command", command="<b>x</b>") == escaped


def test_what_a_person_typed_is_not_remembered(texts: Texts) -> None:
    engine_texts = texts
    out = engine_texts.render_fresh("en", "errors.unknown_command", command="zzsecretword")
    assert "zzsecretword" in out
    assert not any("zzsecretword" in repr(key) for key in engine_texts._memo)
