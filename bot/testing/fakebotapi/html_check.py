"""A strict, independent check that a text is Telegram HTML the Bot API will accept.

Written from Telegram's "HTML style" rules rather than from the transport's own splitter, so
that the transport is judged by a second opinion: only the documented tags and attributes,
balanced and properly nested, `<`, `>` and `&` escaped outside tags, only the named entities
Telegram knows, and the visible text within the limit (counted in UTF-16 code units).
"""

from __future__ import annotations

import html
import re

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

# tag -> attributes it may carry (None: no attributes)
ALLOWED: dict[str, frozenset[str]] = {
    "b": frozenset(),
    "strong": frozenset(),
    "i": frozenset(),
    "em": frozenset(),
    "u": frozenset(),
    "ins": frozenset(),
    "s": frozenset(),
    "strike": frozenset(),
    "del": frozenset(),
    "span": frozenset({"class"}),
    "tg-spoiler": frozenset(),
    "a": frozenset({"href"}),
    "tg-emoji": frozenset({"emoji-id"}),
    "tg-time": frozenset({"unix", "format"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "blockquote": frozenset({"expandable"}),
}
NAMED_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})

_TAG = re.compile(r'<(/?)([a-z][a-z-]*)((?:\s+[a-z][a-z-]*(?:="[^"<>]*")?)*)\s*>')
_ATTRIBUTE = re.compile(r'([a-z][a-z-]*)(?:="([^"<>]*)")?')
_ENTITY = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z]+));")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def html_problems(text: str, limit: int = MESSAGE_LIMIT, *, allow_empty: bool = False) -> list[str]:
    """Everything wrong with `text` as a Telegram HTML message; empty when it is fine."""
    problems: list[str] = []
    stack: list[str] = []
    visible: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "<":
            match = _TAG.match(text, position)
            if match is None:
                problems.append(f"unescaped '<' at {position}")
                position += 1
                continue
            problems.extend(_check_tag(match, stack))
            position = match.end()
        elif char == "&":
            match = _ENTITY.match(text, position)
            if match is None or (match.group(3) and match.group(3) not in NAMED_ENTITIES):
                problems.append(f"unescaped or unknown '&' entity at {position}")
                position += 1
                continue
            visible.append(html.unescape(match.group()))
            position = match.end()
        elif char == ">":
            problems.append(f"unescaped '>' at {position}")
            position += 1
        else:
            visible.append(char)
            position += 1
    if stack:
        problems.append(f"unclosed tags: {stack}")
    shown = "".join(visible)
    if utf16_length(shown) > limit:
        problems.append(f"visible text is {utf16_length(shown)} long, over {limit}")
    if not allow_empty and not shown.strip():
        problems.append("no visible text")
    return problems


def _check_tag(match: re.Match[str], stack: list[str]) -> list[str]:
    closing, name, attributes = match.group(1), match.group(2), match.group(3)
    if name not in ALLOWED:
        return [f"tag <{name}> is not supported"]
    if closing:
        if attributes.strip():
            return [f"closing tag </{name}> has attributes"]
        if not stack or stack[-1] != name:
            return [f"</{name}> closes {stack[-1] if stack else 'nothing'}"]
        stack.pop()
        return []
    problems = _check_attributes(name, attributes)
    if stack and stack[-1] in ("code", "pre") and not (stack[-1] == "pre" and name == "code"):
        problems.append(f"<{name}> inside <{stack[-1]}>")
    if name == "blockquote" and "blockquote" in stack:
        problems.append("nested <blockquote>")
    stack.append(name)
    return problems


def _check_attributes(name: str, attributes: str) -> list[str]:
    problems = []
    for attribute, value in _ATTRIBUTE.findall(attributes):
        if attribute not in ALLOWED[name]:
            problems.append(f"<{name}> does not take {attribute!r}")
        elif "&" in value and html_problems(value, allow_empty=True):
            problems.append(f"<{name} {attribute}> value is not escaped")
    if name == "a" and "href" not in attributes:
        problems.append("<a> without href")
    return problems


def assert_valid_html(
    text: str, limit: int = MESSAGE_LIMIT, *, allow_empty: bool = False, context: str = ""
) -> None:
    problems = html_problems(text, limit, allow_empty=allow_empty)
    where = f" in {context}" if context else ""
    assert not problems, f"invalid Telegram HTML{where} ({'; '.join(problems)}): {text[:200]!r}"


def visible_text(text: str) -> str:
    """What a reader sees (for assertions on content)."""
    return html.unescape(re.sub(r"<[^<>]*>", "", text))
