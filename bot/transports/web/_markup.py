"""The engine's Telegram HTML as HTML for a web page, allowing nothing else through.

The engine's replies are Telegram's HTML subset with every piece of user and content text
already escaped. A web page is a bigger attack surface than a Telegram message, so the text is
parsed again and rebuilt from the allowed tags alone: anything else is shown as text, and links
keep only http(s) addresses and open without telling the linked site where they came from.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "blockquote"}


class _Rebuild(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _TAGS:
            self.out.append(f"<{tag}>")
            self.open.append(tag)
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("https://", "http://")):
                self.out.append(f'<a href="{escape(href)}" rel="noreferrer noopener">')
            else:
                self.out.append("<a>")
            self.open.append("a")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open:
                closing = self.open.pop()
                self.out.append(f"</{closing}>")
                if closing == tag:
                    break

    def handle_data(self, data: str) -> None:
        self.out.append(escape(data, quote=False))


def web_html(text: str) -> str:
    """Safe HTML for a page from Telegram HTML: allowed tags rebuilt, all else escaped."""
    parser = _Rebuild()
    parser.feed(text)
    parser.close()
    parser.out.extend(f"</{tag}>" for tag in reversed(parser.open))
    return "".join(parser.out).strip()
