"""Locale templates cannot make the bot work for ever or allocate without bound."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import pytest
from jinja2 import TemplateSyntaxError
from jinja2.exceptions import SecurityError

from bot.texts.sandbox import MAX_CHARS, TooMuchWorkError, render_within_budget
from bot.texts.templates import RenderError, Texts, make_environment


@dataclass(frozen=True)
class Info:
    name: str = "English"
    direction: str = "ltr"


@dataclass(frozen=True)
class Messages:
    messages: dict[str, str]
    info: Info = Info()

    def flat(self) -> dict[str, str]:
        return self.messages


def texts(**messages: str) -> Texts:
    return Texts({"en": Messages(messages)}, "en")


def render(source: str, **context: object) -> str:
    return render_within_budget(make_environment().from_string(source), dict(context), 16_000)


def finishes_within(seconds: float, work: object) -> BaseException | None:
    """Run `work` in a thread; fail if it is still running after `seconds` (a pinned thread)."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            work()  # type: ignore[operator]
        except BaseException as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the render is still running"
    return outcome[0]


def test_nested_loops_stop_within_the_step_budget() -> None:
    bomb = texts(
        bomb="{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}"
    )
    started = time.monotonic()
    error = finishes_within(5, lambda: bomb.render("en", "bomb"))
    assert isinstance(error, RenderError) and "loop steps" in str(error)
    assert time.monotonic() - started < 2


def test_loops_without_output_stop_too() -> None:
    error = finishes_within(
        5,
        lambda: render(
            "{% for a in range(100000) %}{% for b in a|string %}{% endfor %}"
            "{{ range(100000)|sum }}{% endfor %}"
        ),
    )
    assert isinstance(error, TooMuchWorkError)


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'a' * 200000000 }}",
        "{{ 200000000 * 'a' }}",
        "{{ ['a'] * 200000000 }}",
        "{{ 2 ** 200000000 }}",
        "{{ 12345678901234567890 * 98765432109876543210 ** 300 }}",
        "{{ '%0200000000d' % 1 }}",
        "{{ '%*d' % (200000000, 1) }}",
        "{{ range(100000)|join('x' * 100) }}",
        "{{ ('x' * 900000) ~ ('x' * 900000) }}",
        "{{ ('x' * 900000) + ('x' * 900000) }}",
    ],
)
def test_operators_that_would_build_huge_values_are_refused(source: str) -> None:
    with pytest.raises(TooMuchWorkError):
        render(source)


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'a'.ljust(200000000) }}",
        "{{ '{:>200000000}'.format(1) }}",
        "{{ 'ab'.replace('', 'ab') }}",
    ],
)
def test_methods_that_grow_strings_are_not_callable(source: str) -> None:
    with pytest.raises(SecurityError):
        render(source)


@pytest.mark.parametrize(
    "source",
    [
        "{% set x = 'a' %}",
        "{% set x %}a{% endset %}",
        "{% macro f() %}{% endmacro %}",
        "{% filter upper %}a{% endfilter %}",
        "{% autoescape false %}{{ x }}{% endautoescape %}",
        "{% for x in y recursive %}{{ loop(x) }}{% endfor %}",
        "{{ 'a'|center(200000000) }}",
        "{{ 'a'|replace('a', 'b') }}",
    ],
)
def test_statements_and_filters_a_message_does_not_need_are_refused(source: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        make_environment().from_string(source)


def test_removed_globals() -> None:
    env = make_environment()
    assert "lipsum" not in env.globals and "namespace" not in env.globals


def test_messages_that_include_each_other_stop() -> None:
    loop = texts(a="{{ t('b') }}", b="{{ t('a') }}")
    with pytest.raises(RenderError, match="include each other"):
        loop.render("en", "a")


def test_ordinary_templates_still_work() -> None:
    source = (
        "{% for s in sources %}{{ s }}{{ ', ' if not loop.last }}{% endfor %}; "
        "{{ 3 * 4 }} {{ 'ab' * 2 }} {{ [1, 2]|join('-') }} {{ 'a' ~ n }} {{ '%d%%' % 5 }} "
        "{{ 2 ** 10 }} {{ name.upper() }}"
    )
    out = render(source, sources=["x", "y"], n=1, name="<b>")
    assert out == "x, y; 12 abab 1-2 a1 5% 1024 &lt;B&gt;"


def test_budget_is_per_render() -> None:
    ten_thousand = make_environment().from_string("{% for i in range(30000) %}{% endfor %}x")
    for _ in range(5):
        assert render_within_budget(ten_thousand, {}, 100) == "x"
    assert MAX_CHARS >= 100_000
