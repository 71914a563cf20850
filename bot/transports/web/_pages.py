"""The pages, drawn from Jinja2 templates with autoescaping; every word comes from the locale."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import jinja2
from markupsafe import Markup

from bot.texts.templates import Texts, plain_text
from bot.transports.web._identity import CODE_MINUTES
from bot.transports.web._markup import web_html
from bot.transports.web._visitors import Said

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"

# The command row under the conversation: (what it sends, the locale key of its label).
COMMANDS = (
    ("/menu", "menu.back_to_menu"),
    ("/lessons", "menu.lessons"),
    ("/review", "menu.review"),
    ("/test", "menu.test"),
    ("/progress", "menu.progress"),
    ("/language", "web.language"),
    ("/mydata", "web.mydata"),
    ("/forget", "web.forget"),
    ("/help", "menu.help"),
)


class Words:
    """The page's labels in one language, as plain text (Jinja2 escapes them)."""

    def __init__(self, texts: Texts, language: str) -> None:
        self._texts = texts
        self._language = language

    def __getattr__(self, name: str) -> str:
        return self.label(f"web.{name}")

    def label(self, key: str, **values: str | int) -> str:
        return plain_text(self._texts.render(self._language, key, **values))

    def download(self, name: str) -> str:
        return self.label("web.download", name=name)


class Pages:
    def __init__(self) -> None:
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )

    def _render(self, name: str, texts: Texts, language: str, **values: object) -> str:
        words = Words(texts, language)
        return self._env.get_template(name).render(
            lang=language,
            dir=texts.direction(language),
            title=words.title,
            words=words,
            **values,
        )

    def chat(
        self,
        texts: Texts,
        language: str,
        said: Iterable[Said],
        batch: int,
        csrf: str,
        max_chars: int,
    ) -> str:
        words = Words(texts, language)
        shown = [replace(s, html=Markup(s.html)) for s in said]  # noqa: S704 - rebuilt by web_html
        return self._render(
            "chat.html",
            texts,
            language,
            said=shown,
            batch=batch,
            csrf=csrf,
            max_chars=max_chars,
            intro=Markup(web_html(texts.render(language, "web.intro"))),  # noqa: S704
            commands=[(command, words.label(key)) for command, key in COMMANDS],
        )

    def device(self, texts: Texts, language: str, csrf: str, code: str | None, bad: bool) -> str:
        shown = None
        if code is not None:
            shown = Markup(web_html(texts.render(language, "web.device_code", code=code)))  # noqa: S704
        explain = Words(texts, language).label("web.device_explain", minutes=CODE_MINUTES)
        return self._render(
            "device.html", texts, language, csrf=csrf, code=shown, bad=bad, explain=explain
        )

    def notice(self, texts: Texts, language: str, key: str) -> str:
        return self._render("notice.html", texts, language, text=Words(texts, language).label(key))
