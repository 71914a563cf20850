"""Every sentence the bot says comes from here: locale templates rendered to Telegram HTML.

Locale messages are written by educators and translators, so they are compiled in Jinja2's
immutable sandbox with autoescape on (any value interpolated into a message is escaped; markup an
author writes in the template itself stays) and strict undefined (a typo in a variable is an error,
not an empty string). Each render runs within a budget of steps, characters and time (see
`sandbox`), and output is capped so a runaway loop in a template cannot flood anything.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from babel.core import Locale, UnknownLocaleError
from jinja2 import StrictUndefined, Template, TemplateError, Undefined, pass_context
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from markupsafe import Markup

from bot.texts.sandbox import Sandbox, TooMuchWorkError, render_within_budget

OUTPUT_CAP = 16_000
MEMO_SIZE = 4096  # rendered messages remembered per library
_PLAIN = (str, int, float, bool, type(None))
_TAG = re.compile(r"<[^>]+>")
RLM = "\u200f"  # RIGHT-TO-LEFT MARK


class RenderError(Exception):
    """A locale template could not be rendered (missing key, bad template, undefined value)."""


def make_environment(undefined: type[Undefined] = StrictUndefined) -> Sandbox:
    env = Sandbox(
        autoescape=True,
        undefined=undefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.policies["truncate.leeway"] = 0
    env.filters["points"] = points
    env.filters["plural"] = plural
    return env


LANGUAGE_VARIABLE = "_language"  # set by Texts.render: the language a template speaks


@functools.lru_cache(maxsize=64)
def _plural_rule(language: str) -> Callable[[float], str]:
    try:
        return Locale.parse(language).plural_form
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en").plural_form


@pass_context
def plural(context: Context, count: float, **forms: str) -> str:
    """The form of a word that goes with `count`, by the CLDR plural rules of the template's
    language: `{{ n | plural(one='day', other='days') }}`; Russian needs one, few and many.

    A form a language's rules ask for but the template does not give falls back to `other`
    (then `many`), so a missing form shows a readable word; `content check` reports it.
    """
    category = _plural_rule(str(context.get(LANGUAGE_VARIABLE, "en")))(count)
    for name in (category, "other", "many", "one"):
        if name in forms:
            return forms[name]
    return ""


def plural_categories(language: str) -> frozenset[str]:
    """The plural categories whole numbers take in `language` (en: one, other; ru: one, few,
    many): what every `plural` call in that language's templates must give."""
    rule = _plural_rule(language)
    return frozenset(rule(n) for n in range(0, 200))


def points(value: float) -> str:
    """A score as people write it: 2, 2.5, 2.33."""
    return f"{round(float(value), 2):g}"


class LocaleInfo(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def direction(self) -> str: ...


class LocaleMessages(Protocol):
    """What texts need of a locale file: its messages by dotted key, its name and direction."""

    @property
    def info(self) -> LocaleInfo: ...

    def flat(self) -> dict[str, str]: ...


class Texts:
    """The interface texts of one library; templates compile once, on first use."""

    def __init__(self, locales: Mapping[str, LocaleMessages], default_language: str) -> None:
        self._env = make_environment()
        self._messages = {lang: locale.flat() for lang, locale in locales.items()}
        self._directions = {lang: locale.info.direction for lang, locale in locales.items()}
        self._names = {lang: locale.info.name for lang, locale in locales.items()}
        self.default_language = default_language
        self._compiled: dict[tuple[str, str], Template] = {}
        self._memo: dict[tuple[str, str, tuple[tuple[str, str, Any], ...]], str] = {}

    @property
    def languages(self) -> list[str]:
        return sorted(self._messages)

    def language_name(self, language: str) -> str:
        return self._names.get(language, language)

    def direction(self, language: str) -> str:
        return self._directions.get(language, "ltr")

    def has(self, language: str, key: str) -> bool:
        return key in self._messages.get(language, {})

    def resolve_language(self, language: str | None) -> str:
        if language and language in self._messages:
            return language
        return self.default_language

    def render(self, language: str, key: str, **context: Any) -> str:
        """Render message `key` in `language` (falling back to the default language).

        A message rendered from plain values only (a menu, a button label, a lesson card, a
        question) always comes out the same for one library, so it is rendered once and
        remembered (a bounded number of them); the values' types are part of the key, so
        Markup("<b>") and "<b>" stay apart. A message that carries what a person sent must use
        `render_fresh`: that text must not stay in memory.
        """
        if not all(type(value) in _PLAIN for value in context.values()):
            return self._render(language, key, context)
        memo = (
            language,
            key,
            tuple(sorted((name, type(value).__name__, value) for name, value in context.items())),
        )
        cached = self._memo.get(memo)
        if cached is None:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            cached = self._memo[memo] = self._render(language, key, context)
        return cached

    def render_fresh(self, language: str, key: str, **context: Any) -> str:
        """Render without remembering: for messages that quote what a person sent."""
        return self._render(language, key, context)

    def _render(self, language: str, key: str, context: dict[str, Any]) -> str:
        lang = language if self.has(language, key) else self.default_language
        template = self._template(lang, key)
        context.setdefault("t", self._translator(lang))
        context[LANGUAGE_VARIABLE] = lang
        try:
            out = render_within_budget(template, context, OUTPUT_CAP)
        except TemplateError as exc:
            raise RenderError(f"{lang}:{key}: {exc}") from exc
        out = out.strip()
        if self._directions.get(lang) == "rtl" and out and not out.startswith(RLM):
            # A right-to-left message that starts with a digit, emoji or Latin word would
            # otherwise be laid out left-to-right by the client.
            out = RLM + out
        return out

    def _translator(self, language: str) -> Callable[..., Markup]:
        def t(key: str, **context: Any) -> Markup:
            return Markup(self.render(language, key, **context))  # noqa: S704 - already escaped

        return t

    def _template(self, language: str, key: str) -> Template:
        cached = self._compiled.get((language, key))
        if cached is not None:
            return cached
        source = self._messages.get(language, {}).get(key)
        if source is None:
            raise RenderError(f"{language}:{key}: no such message")
        try:
            template = self._env.from_string(source)
        except TemplateError as exc:
            raise RenderError(f"{language}:{key}: {exc}") from exc
        self._compiled[(language, key)] = template
        return template


def compile_error(source: str) -> str | None:
    """The syntax error in a template source, or None; used by `content check`."""
    try:
        make_environment().from_string(source)
    except TemplateError as exc:
        return str(exc)
    return None


class _Sample(Undefined):
    """Any value a template is given, for trying it out: true, the number 2, two items when
    iterated, and itself for any attribute, call or arithmetic."""

    __slots__ = ()

    def __str__(self) -> str:
        return "2"

    def __bool__(self) -> bool:
        return True

    def __len__(self) -> int:
        return 2

    def __iter__(self) -> Any:
        return iter((_Sample(), _Sample()))

    def __int__(self) -> int:  # type: ignore[override]
        return 2

    __index__ = __int__

    def __float__(self) -> float:  # type: ignore[override]
        return 2.0

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Sample()

    def __call__(self, *_args: Any, **_kwargs: Any) -> Any:
        return _Sample()

    def _same(self, *_args: Any, **_kwargs: Any) -> Any:
        return self

    def _yes(self, _other: Any) -> bool:
        return True

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = _same
    __mod__ = __rmod__ = __pow__ = __rpow__ = __neg__ = __pos__ = __getitem__ = _same
    __lt__ = __le__ = __gt__ = __ge__ = _yes  # type: ignore[assignment]
    __eq__ = _yes
    __ne__ = _yes
    __hash__ = Undefined.__hash__


def sample_render_error(source: str, language: str) -> str | None:
    """Render a template with sample values within the budget a running bot gives it: what
    would stop it working, or None. Other errors are the samples' fault and not reported."""
    env = make_environment(undefined=_Sample)
    try:
        template = env.from_string(source)
        context = {"t": lambda *_args, **_kwargs: Markup("2"), LANGUAGE_VARIABLE: language}
        render_within_budget(template, context, OUTPUT_CAP)
    except TooMuchWorkError as exc:
        return f"too much work for one message: {exc}"
    except SecurityError as exc:
        return f"not allowed in a message: {exc}"
    except Exception:
        return None
    return None


def plain_text(markup: str) -> str:
    """Rendered Telegram HTML as plain text, for places that show no markup (titles, labels)."""
    return html.unescape(_TAG.sub("", markup))
