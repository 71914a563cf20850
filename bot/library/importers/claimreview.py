"""schema.org ClaimReview JSON-LD as civicbot fact-checks.

Fact-checkers publish every verdict as ClaimReview markup for search engines, so it is the one
format nearly all of them already produce. A file may hold one review, a list of them, or an
`@graph`, possibly inside other objects; every object whose `@type` is ClaimReview is an item,
numbered in the order it appears. The publisher's own rating words are mapped onto civicbot's
verdict scale (in English and Russian, or from the numeric rating when the words are unknown);
an item without a claim or with a rating that cannot be placed is reported and skipped, because
guessing a verdict would publish a wrong one. Imported fact-checks are `reviewed: false` until an
editor has read them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

from pydantic import TypeAdapter, ValidationError

from bot.library import schema
from bot.library.importers.common import (
    Entry,
    Item,
    Parsed,
    ending,
    first_problem,
    html_to_text,
    looks_like_html,
    shorten,
    slugify,
    tidy,
    unique_id,
    with_prefix,
)
from bot.library.limits import MESSAGE_CHARS
from bot.matching.urls import canonical_url

# What `checks.py` allows for claim, answer, explanation and sources together (one message).
FACTCHECK_CHARS = MESSAGE_CHARS - 300
MIN_EXPLANATION = 200
_URL: TypeAdapter[str] = TypeAdapter(schema.Url)

_VERDICT_NAMES: dict[str, tuple[str, ...]] = {
    "false": (
        "false", "fake", "pants on fire", "incorrect", "wrong", "fabricated", "not true",
        "untrue", "totally false", "completely false", "hoax", "four pinocchios",
        "ложь", "неправда", "фейк", "фальшивка", "неверно", "брехня",
    ),
    "misleading": (
        "misleading", "mostly false", "distorted", "exaggerated", "half true", "partly false",
        "partially false", "mixture", "three pinocchios", "two pinocchios",
        "манипуляция", "полуправда", "искажение", "скорее ложь", "частично ложь",
        "преувеличение", "вводит в заблуждение", "маніпуляція", "напівправда",
    ),
    "missing_context": (
        "missing context", "lacks context", "out of context", "needs context", "miscaptioned",
        "вне контекста", "без контекста", "поза контекстом",
    ),
    "unproven": (
        "unproven", "unverified", "unsubstantiated", "no evidence", "not proven",
        "undetermined", "не доказано", "недоказано", "не подтверждено", "нет доказательств",
        "не доведено",
    ),
    "true": (
        "true", "correct", "accurate", "mostly true", "mostly correct",
        "правда", "верно", "скорее правда", "в основном правда",
    ),
}  # fmt: skip

_LANGUAGE_NAMES = {
    "english": "en", "russian": "ru", "русский": "ru", "ukrainian": "uk", "українська": "uk",
    "belarusian": "be", "spanish": "es", "español": "es", "french": "fr", "français": "fr",
    "german": "de", "deutsch": "de", "portuguese": "pt", "português": "pt", "italian": "it",
    "polish": "pl", "turkish": "tr", "arabic": "ar", "persian": "fa", "farsi": "fa",
    "georgian": "ka", "kazakh": "kk", "hindi": "hi", "indonesian": "id", "chinese": "zh",
}  # fmt: skip

_SENTENCES = {
    "en": {
        "rated": "{} rated this claim: {}",
        "see": "The evidence is in the fact-check listed below.",
        "by": "Fact-check by {}",
        "check": "Fact-check",
    },
    "ru": {
        "rated": "{} оценивает это утверждение так: {}",
        "see": "Доказательства приведены в проверке, указанной ниже.",
        "by": "Проверка фактов: {}",
        "check": "Проверка фактов",
    },
}


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold().replace("ё", "е")).split())


RATINGS = {_fold(name): verdict for verdict, names in _VERDICT_NAMES.items() for name in names}


class SkipError(Exception):
    """An item that cannot become a fact-check; the message says why."""


def parse_claimreview(
    data: object, *, language: str = "en", id_prefix: str = "", today: dt.date | None = None
) -> Parsed:
    """Fact-checks from decoded ClaimReview JSON. `language` is used for items that do not say
    theirs; `today` is the publication date for items without one."""
    parsed = Parsed("factchecks")
    ids: dict[str, set[str]] = {}
    for number, review in enumerate(find_reviews(data), start=1):
        notes: list[str] = []
        try:
            item = review_to_item(review, language, today or dt.date.today(), notes)
        except SkipError as exc:
            parsed.skipped.append(Entry(_labelled(str(exc), review), item=number))
            continue
        except Exception as exc:  # an item nobody foresaw must not stop the import
            message = f"could not read this review ({type(exc).__name__})"
            parsed.skipped.append(Entry(_labelled(message, review), item=number))
            continue
        base = with_prefix(id_prefix, slugify(item["claim"], "factcheck"))
        item = {"id": unique_id(base, ids.setdefault(item["language"], set())), **item}
        problem = first_problem(schema.FactCheck, item)
        if problem:
            message = f"not a valid fact-check: {problem}"
            parsed.skipped.append(Entry(_labelled(message, review), item=number))
            continue
        parsed.items.append(item)
        parsed.notes.extend(Entry(note, item=number) for note in notes)
    return parsed


def find_reviews(data: object) -> list[dict[str, Any]]:
    """Every ClaimReview object in `data`, in document order, wherever it is nested."""
    found: list[dict[str, Any]] = []
    stack: list[object] = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if _is_review(node):
                found.append(node)
            else:
                stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return found


def review_to_item(review: dict[str, Any], default: str, today: dt.date, notes: list[str]) -> Item:
    """One review as a fact-check dict without its id; reasons to skip raise SkipError and
    anything changed or guessed on the way is added to `notes`."""
    claim = _plain(_string(review.get("claimReviewed")))
    if not claim:
        raise SkipError("no claimReviewed: the claim is missing")
    verdict, rating = verdict_of(review.get("reviewRating"), notes)
    language = _language(review.get("inLanguage"), default, notes)
    words = _SENTENCES.get(language, _SENTENCES["en"])
    url = _string(review.get("url"))
    publisher = _name(review.get("author")) or _name(review.get("publisher")) or _host(url) or None
    rated = words["rated"].format(publisher or words["check"], ending(rating))
    description = _plain(_string(review.get("description")))
    body = _plain(_string(review.get("reviewBody")))
    answer = description or body or rated
    explanation = body if body and body != answer else words["see"]
    source: Item = {
        "title": _plain(_string(review.get("headline")) or _string(review.get("name")))
        or (words["by"].format(publisher) if publisher else words["check"])
    }
    if publisher:
        source["publisher"] = publisher
    if url and _is_url(url):
        source["url"] = url
    elif url:
        notes.append(f"url {url!r} is not a web address; left out")
    published = _date(review.get("datePublished"))
    if published:
        source["date"] = published
    else:
        published = _date(review.get("dateModified")) or _date(review.get("dateCreated"))
        if published is None:
            published = today
            notes.append(f"no datePublished; published set to {today.isoformat()}")
    item: Item = {"language": language, "claim": claim}
    reviewed = review.get("itemReviewed")
    urls = appearances(reviewed)
    if urls:
        item["urls"] = urls
    item |= {
        "verdict": verdict,
        "answer": answer,
        "explanation": explanation,
        "sources": [source],
        "published": published,
        "reviewed": False,
    }
    item |= claim_origin(reviewed, notes)
    item["rating"] = rating
    _fit(item, notes)
    return item


def claim_origin(reviewed: object, notes: list[str]) -> Item:
    """Who made the reviewed claim (`itemReviewed.author`) and when (`datePublished`, else the
    first appearance's date), as `claimant` and `claim_date`; an unreadable date is a note."""
    if isinstance(reviewed, list):
        reviewed = next((r for r in reviewed if isinstance(r, dict)), None)
    if not isinstance(reviewed, dict):
        return {}
    found: Item = {}
    claimant = _name(reviewed.get("author"))
    if claimant:
        found["claimant"] = claimant
    raw = reviewed.get("datePublished")
    if raw is None:
        first = next(
            (p for p in _as_list(reviewed.get("firstAppearance")) if isinstance(p, dict)), None
        )
        raw = first.get("datePublished") if first else None
    if raw is not None:
        date = _date(raw)
        if date is None:
            notes.append(f"the claim's date {_string(raw)!r} is not a date; left out")
        else:
            found["claim_date"] = date
    return found


def verdict_of(rating: object, notes: list[str]) -> tuple[str, str]:
    """The verdict for a reviewRating and the rating as the publisher worded it."""
    if isinstance(rating, list):
        rating = next((r for r in rating if isinstance(r, dict)), None)
    if not isinstance(rating, dict):
        raise SkipError("no reviewRating: the verdict is missing")
    names = [_string(rating.get(key)) for key in ("alternateName", "name")]
    names = [name for name in names if name]
    for name in names:
        verdict = rating_verdict(name)
        if verdict:
            return verdict, name
    scale = _numeric(rating)
    if scale is not None:
        verdict, shown = scale
        if names:
            notes.append(f"rating {names[0]!r} not recognised; verdict taken from {shown}")
        return verdict, names[0] if names else shown
    if names:
        raise SkipError(f"unknown rating {names[0]!r}: add a verdict by hand")
    raise SkipError("reviewRating has no alternateName and no usable ratingValue")


def rating_verdict(name: str) -> str | None:
    """The verdict for a rating's words: the whole name, or the words before a sentence break
    ("False. The photo is from 2015"); never a word found further inside, so "not quite true"
    is not read as true."""
    folded = _fold(name)
    if folded in RATINGS:
        return RATINGS[folded]
    head = re.split(r"[.:;!?(\[—–]| - ", name, maxsplit=1)[0]
    return RATINGS.get(_fold(head))


def appearances(reviewed: object) -> list[str]:
    """Canonical addresses where the reviewed claim appeared: `appearance` and
    `firstAppearance` (objects or lists, by `url` or `@id`), and `url` and `sameAs`."""
    if isinstance(reviewed, list):
        reviewed = next((r for r in reviewed if isinstance(r, dict)), None)
    if not isinstance(reviewed, dict):
        return []
    raw: list[str] = []
    for key in ("appearance", "firstAppearance"):
        for place in _as_list(reviewed.get(key)):
            if isinstance(place, dict):
                raw.append(_string(place.get("url")) or _string(place.get("@id")))
            else:
                raw.append(_string(place))
    for key in ("url", "sameAs"):
        raw.extend(_string(value) for value in _as_list(reviewed.get(key)))
    urls = (canonical(url) for url in raw if url)
    return list(dict.fromkeys(url for url in urls if url))


def canonical(url: str) -> str | None:
    """`url` in the matcher's canonical form (no tracking parameters, `www.`, fragment or
    trailing slash, lower-case host) with its scheme kept, or None if it is not a web address."""
    match = re.match(r"^\s*(https?)://", url, re.IGNORECASE)
    if match is None:
        return None
    result = f"{match.group(1).lower()}://{canonical_url(url)}"
    return result if _is_url(result) else None


def _is_url(url: str) -> bool:
    try:
        _URL.validate_python(url)
    except ValidationError:
        return False
    return True


def _fit(item: Item, notes: list[str]) -> None:
    """Shorten the explanation, then the answer, until the fact-check fits one message."""
    source = item["sources"][0]
    fixed = len(item["claim"]) + sum(len(source.get(k, "")) for k in ("title", "publisher", "url"))
    for key in ("explanation", "answer"):
        size = fixed + len(item["answer"]) + len(item["explanation"])
        if size <= FACTCHECK_CHARS:
            return
        room = max(MIN_EXPLANATION, len(item[key]) - (size - FACTCHECK_CHARS))
        if len(item[key]) > room:
            item[key] = shorten(item[key], room)
            notes.append(f"{key} shortened to {len(item[key])} characters to fit one message")
    if fixed + len(item["answer"]) + len(item["explanation"]) > FACTCHECK_CHARS:
        raise SkipError("the claim and source are too long for one message")


def _numeric(rating: dict[str, Any]) -> tuple[str, str] | None:
    value = _number(rating.get("ratingValue"))
    best = _number(rating.get("bestRating"), 5.0)
    worst = _number(rating.get("worstRating"), 1.0)
    if value is None or best is None or worst is None or best == worst:
        return None
    position = (value - worst) / (best - worst)
    if not 0 <= position <= 1:
        return None
    if position < 0.125:
        verdict = "false"
    elif position < 0.625:
        verdict = "misleading"
    else:
        verdict = "true"
    low, high = sorted((worst, best))
    return verdict, f"{value:g} on a scale from {low:g} to {high:g}"


def _number(value: object, default: float | None = None) -> float | None:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            return None
    return None


def _language(value: object, default: str, notes: list[str]) -> str:
    if isinstance(value, list):
        value = next(iter(value), None)
    if isinstance(value, dict):
        value = _string(value.get("alternateName")) or _string(value.get("name"))
    text = _string(value)
    if not text:
        return default
    match = re.match(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$", text)
    if match:
        return match.group(1).lower()
    code = _LANGUAGE_NAMES.get(text.casefold())
    if code:
        return code
    notes.append(f"inLanguage {text!r} not recognised; language set to {default}")
    return default


def _is_review(node: dict[str, Any]) -> bool:
    types = node.get("@type")
    return any(
        isinstance(kind, str) and re.split(r"[/:#]", kind)[-1] == "ClaimReview"
        for kind in _as_list(types)
    )


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _string(value: object) -> str:
    """A text value: a string, the first string of a list, or a JSON-LD `@value`."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return next((s for s in map(_string, value) if s), "")
    if isinstance(value, dict):
        return _string(value.get("@value"))
    return ""


def _name(value: object) -> str:
    """The name of an author or publisher given as a string, an object or a list of them."""
    if isinstance(value, list):
        return next((n for n in map(_name, value) if n), "")
    if isinstance(value, dict):
        return _plain(_string(value.get("name")) or _string(value.get("alternateName")))
    return _plain(_string(value))


def _plain(text: str) -> str:
    return html_to_text(text) if looks_like_html(text) else tidy(text)


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _date(value: object) -> dt.date | None:
    text = _string(value)
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _labelled(message: str, review: dict[str, Any]) -> str:
    """The message with the review's address, so that the item can be found in the source."""
    url = _string(review.get("url"))
    return f"{message} ({url})" if url else message
