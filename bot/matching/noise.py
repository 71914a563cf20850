"""Separating what a forwarded message claims from the wrapping the sharing apps add.

A forwarded message arrives with headers ("Forwarded from …", "---------- Forwarded message"),
a copied tweet ends in its signature (`— Name (@handle) March 7, 2022`), hashtags glue words
together (#StopTheSteal) and links carry nothing a fact-check repeats. The headers are dropped.
The signature is kept apart rather than dropped: the person quoted is often the subject of the
claim, so the matcher gives it a small weight of its own (measured on the tweet benchmark).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.matching.urls import find_urls, remove_urls

# Lines that forwarding adds, in the languages the bot is used in. Matched on a whole line.
_FORWARD_LINE = re.compile(
    r"""^\s*[\[(]?\s*(?:
        (?:-{2,}\s*)?forwarded\ (?:message|from|many\ times)\b.*
      | forwarded\s*
      | переслано\ от\b.* | пересланное\ сообщение.* | переслано\s* | переадресовано.*
      | переслане\ від\b.* | переслано\ від\b.*
      | reenviado\ (?:de|desde)\b.* | transféré\ de\b.* | weitergeleitet\ von\b.*
      | (?:فوروارد|ارسال)\ شده\ از\b.* | فوروارد\ شده\s* | تم\ (?:التوجيه|إعادة\ التوجيه).*
      | 转发自.* | 轉發自.*
    )\s*[\])]?\s*:?\s*$""",
    re.IGNORECASE | re.MULTILINE | re.VERBOSE,
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = (
    rf"(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})"
)
# "— Name (@handle) March 7, 2022" at the very end of a copied tweet.
_SIGNATURE = re.compile(
    rf"[—–―-]{{1,2}}\s*(?P<name>[^—–―\n]{{0,80}}?)\s*\(@(?P<handle>\w{{1,30}})\)"
    rf"\s*(?P<date>{_DATE})?\s*$",
    re.IGNORECASE,
)
_RETWEET = re.compile(r"^\s*RT\s+@\w+\s*:\s*")
_SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:fwd?|fw|пересл)\s*:\s*)+", re.IGNORECASE | re.MULTILINE)
_TAG = re.compile(r"(?<![\w#@])([#@])(\w+)")
_CAMEL = re.compile(
    r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z]{2})"
)


@dataclass(frozen=True)
class Message:
    """A forwarded message taken apart: the claim text, a tweet's signature, and its links."""

    body: str
    signature: str = ""
    handle: str = ""
    date: str = ""
    urls: tuple[str, ...] = ()


def split_camel(word: str) -> str:
    """`"DefundTheCBC"` -> `"Defund The CBC"`: hashtags and handles hide several words in one."""
    return _CAMEL.sub(" ", word)


def _expand_tag(match: re.Match[str]) -> str:
    return " " + split_camel(match.group(2)) + " "


def clean_message(text: str) -> Message:
    """Drop forwarding headers and a retweet prefix, keep links and the signature aside, and
    open hashtags and @handles into words."""
    urls = tuple(find_urls(text))
    body = _FORWARD_LINE.sub(" ", text)
    body = _SUBJECT_PREFIX.sub("", body)
    body = remove_urls(body).strip()
    body = _RETWEET.sub("", body)
    signature = handle = date = ""
    found = _SIGNATURE.search(body)
    if found is not None and found.start() > 0:
        signature = found.group("name").strip()
        handle = split_camel(found.group("handle"))
        date = found.group("date") or ""
        body = body[: found.start()]
    body = _TAG.sub(_expand_tag, body)
    return Message(body=body.strip(), signature=signature, handle=handle, date=date, urls=urls)
