"""ClaimReview JSON-LD as fact-checkers publish it: the mapping, the verdict scale, what is
skipped by item number, and that the bot answers the imported claims in English and Russian."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine as DbEngine

from bot.library.importers import parse_claimreview, write_items
from bot.library.importers.claimreview import canonical, find_reviews, rating_verdict, verdict_of
from bot.library.importers.common import Item
from bot.library.limits import MESSAGE_CHARS
from bot.library.schema import FactCheck
from bot.testing.person import Person
from tests.conftest import make_library
from tests.library.importers.helpers import FIXTURES, checked_engine

TODAY = dt.date(2026, 3, 2)


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def imported(name: str = "claimreviews.json") -> list[Item]:
    return parse_claimreview(load(name), today=TODAY).items


def review(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "@type": "ClaimReview",
        "claimReviewed": "The river turned red because of a chemical leak",
        "url": "https://checks.example.org/river",
        "author": {"name": "Example Checks"},
        "datePublished": "2025-01-02",
        "reviewRating": {"alternateName": "False"},
    }
    base.update(fields)
    return base


def test_a_full_review_maps_every_field() -> None:
    whales = imported()[0]
    assert whales == {
        "id": "offshore-wind-turbines-are-killing",
        "language": "en",
        "claim": "Offshore wind turbines are killing whales along the East Coast",
        "urls": [
            "https://facebook.com/groups/coastwatch/posts/123456",
            "https://x.com/coastwatch/status/1760000000000000000",
            "https://instagram.com/p/C3xyz",
        ],
        "verdict": "false",
        "answer": whales["answer"],
        "explanation": whales["explanation"],
        "sources": [
            {
                "title": "No, wind turbines are not killing whales on the East Coast",
                "publisher": "Example Fact Check",
                "url": "https://factcheck.example.org/2024/03/wind-turbines-whales/",
                "date": dt.date(2024, 3, 5),
            }
        ],
        "published": dt.date(2024, 3, 5),
        "reviewed": False,
        # Who made the claim, when, and the rating as the fact-checker worded it are kept.
        "claimant": "A viral post",
        "claim_date": dt.date(2024, 2, 20),
        "rating": "Pants on Fire!",
    }
    assert whales["answer"].startswith("Scientists found no evidence")  # the description
    assert whales["explanation"].startswith("Federal scientists examined")  # the reviewBody


def test_the_russian_review_keeps_its_language() -> None:
    birdhouses = imported()[1]
    assert birdhouses["id"] == "v-skvorechniki-vo-dvorakh-taino"
    assert birdhouses["language"] == "ru" and birdhouses["verdict"] == "false"
    assert birdhouses["answer"].startswith("Фотографии, которые выдают")
    assert birdhouses["explanation"] == "Доказательства приведены в проверке, указанной ниже."
    assert birdhouses["sources"][0]["publisher"] == "Проверка.Пример"
    assert birdhouses["urls"] == ["https://t.me/s/example_channel/4567"]


def test_broken_items_are_skipped_by_number_and_guesses_are_noted() -> None:
    parsed = parse_claimreview(load("claimreviews.json"), today=TODAY)
    assert [fc["claim"][:20] for fc in parsed.items] == [
        "Offshore wind turbin",
        "В скворечники во дво",
        "A photo shows the ne",
        "The city council tri",
    ]
    skipped = {entry.item: entry.message for entry in parsed.skipped}
    assert set(skipped) == {3, 6}
    assert skipped[3].startswith("no claimReviewed")
    assert "missing-claim" in skipped[3]  # the review's address, to find it in the source
    assert "unknown rating 'Needs a closer look'" in skipped[6]
    assert [(n.item, n.message) for n in parsed.notes] == [
        (5, "rating 'Zany' not recognised; verdict taken from 2 on a scale from 1 to 5")
    ]
    bridge, tax = parsed.items[2], parsed.items[3]
    assert bridge["verdict"] == "missing_context" and tax["verdict"] == "misleading"
    assert bridge["urls"] == ["https://tiktok.com/@someone/video/7370000000000000000"]
    assert bridge["answer"] == "Other Checkers rated this claim: Out of context."
    assert bridge["sources"][0]["title"] == "Fact-check by Other Checkers"
    assert tax["sources"][0]["publisher"] == "Other Checkers"  # author given as a plain string


@pytest.mark.parametrize(
    ("name", "verdict"),
    [
        ("False", "false"),
        ("FAKE", "false"),
        ("Pants on Fire!", "false"),
        ("incorrect", "false"),
        ("Wrong", "false"),
        ("Fabricated", "false"),
        ("Misleading", "misleading"),
        ("Mostly False", "misleading"),
        ("Distorted", "misleading"),
        ("Exaggerated", "misleading"),
        ("Half-True", "misleading"),
        ("Missing context", "missing_context"),
        ("Lacks Context", "missing_context"),
        ("Out of context", "missing_context"),
        ("Unproven", "unproven"),
        ("Unverified", "unproven"),
        ("Unsubstantiated", "unproven"),
        ("No evidence", "unproven"),
        ("True", "true"),
        ("Correct", "true"),
        ("Accurate", "true"),
        ("Mostly true", "true"),
        ("Ложь", "false"),
        ("НЕПРАВДА", "false"),
        ("Фейк", "false"),
        ("Манипуляция", "misleading"),
        ("Полуправда", "misleading"),
        ("Искажение", "misleading"),
        ("Вне контекста", "missing_context"),
        ("Не доказано", "unproven"),
        ("Правда", "true"),
        ("False. The photo was taken in 2015.", "false"),
        ("Misleading: the quote is cut", "misleading"),
        ("Not true", "false"),
        ("Not quite true", None),
        ("Satire", None),
    ],
)
def test_rating_words_map_onto_the_verdict_scale(name: str, verdict: str | None) -> None:
    assert rating_verdict(name) == verdict


@pytest.mark.parametrize(
    ("rating", "verdict"),
    [
        ({"ratingValue": 1}, "false"),
        ({"ratingValue": 2}, "misleading"),
        ({"ratingValue": "3", "bestRating": "5", "worstRating": "1"}, "misleading"),
        ({"ratingValue": 4}, "true"),
        ({"ratingValue": 5, "bestRating": 5}, "true"),
        ({"ratingValue": 0, "bestRating": 10, "worstRating": 0}, "false"),
        ({"ratingValue": 1, "bestRating": 1, "worstRating": 5}, "true"),  # a reversed scale
        ({"name": "Rating", "alternateName": "Правда", "ratingValue": 1}, "true"),
    ],
)
def test_numeric_ratings_when_there_is_no_usable_name(rating: Item, verdict: str) -> None:
    assert verdict_of(rating, [])[0] == verdict


@pytest.mark.parametrize(
    "rating",
    [
        None,
        "False",
        {},
        {"ratingValue": 9},
        {"ratingValue": "x"},
        {"ratingValue": 1, "bestRating": 1},
    ],
)
def test_unusable_ratings_skip_the_item(rating: object) -> None:
    parsed = parse_claimreview(review(reviewRating=rating), today=TODAY)
    assert parsed.items == [] and parsed.skipped[0].item == 1


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://WWW.Example.COM/Path/To/Story/?utm_source=tw&utm_medium=x&id=7#top",
            "https://example.com/Path/To/Story?id=7",
        ),
        ("http://example.org/a?gclid=1&fbclid=2&si=3&igshid=4", "http://example.org/a"),
        ("ftp://example.org/file", None),
        ("not a url", None),
    ],
)
def test_appearance_urls_are_canonical(url: str, expected: str | None) -> None:
    assert canonical(url) == expected


def test_single_objects_lists_and_nested_graphs() -> None:
    assert [fc["verdict"] for fc in imported("single-review.json")] == ["unproven"]
    nested = imported("nested-page.json")
    assert [(fc["claim"][:12], fc["verdict"]) for fc in nested] == [
        ("The capital ", "true"),
        ("Pensions wil", "misleading"),
    ]
    assert nested[0]["answer"] == "Example Fact Check rated this claim: 5 on a scale from 1 to 5."
    doc = {"@graph": [{"@type": "Claim"}, review(), {"@type": ["Thing", "ClaimReview"]}]}
    assert len(find_reviews(doc)) == 2
    assert find_reviews({"@type": "WebPage"}) == []


@pytest.mark.parametrize(
    ("value", "language"),
    [
        (None, "uk"),
        ("ru", "ru"),
        ("pt-BR", "pt"),
        ("en_GB", "en"),
        ({"@type": "Language", "name": "Russian"}, "ru"),
        ({"alternateName": "de", "name": "German"}, "de"),
        (["fr", "en"], "fr"),
        ("Klingon", "uk"),
    ],
)
def test_in_language(value: object, language: str) -> None:
    parsed = parse_claimreview(review(inLanguage=value), language="uk", today=TODAY)
    assert parsed.items[0]["language"] == language


def test_fallbacks_for_missing_dates_publishers_and_titles() -> None:
    item = review(author=None, datePublished="sometime", url="https://www.checks.example.org/x")
    parsed = parse_claimreview(item, today=TODAY)
    fc = parsed.items[0]
    assert fc["published"] == TODAY and "date" not in fc["sources"][0]
    assert fc["sources"][0] == {
        "title": "Fact-check by checks.example.org",
        "publisher": "checks.example.org",
        "url": "https://www.checks.example.org/x",
    }
    assert [n.message for n in parsed.notes] == ["no datePublished; published set to 2026-03-02"]
    bare = parse_claimreview(review(author=None, url="javascript:alert(1)"), today=TODAY)
    assert bare.items[0]["sources"] == [{"title": "Fact-check", "date": dt.date(2025, 1, 2)}]
    assert "not a web address" in bare.notes[0].message


def test_html_bodies_become_text_and_long_ones_are_shortened() -> None:
    body = "<p>" + "The leak story is false and the colour came from algae. " * 120 + "</p>"
    parsed = parse_claimreview(
        review(description="<b>Algae</b>, not chemicals.", reviewBody=body), today=TODAY
    )
    fc = parsed.items[0]
    assert fc["answer"] == "Algae, not chemicals."
    assert fc["explanation"].endswith("…") and "<p>" not in fc["explanation"]
    size = len(fc["claim"]) + len(fc["answer"]) + len(fc["explanation"])
    size += sum(len(v) for k, v in fc["sources"][0].items() if k != "date")
    assert size <= MESSAGE_CHARS - 300
    assert "explanation shortened" in parsed.notes[0].message
    FactCheck.model_validate(fc)


def test_only_what_is_too_long_is_shortened() -> None:
    parsed = parse_claimreview(
        review(description="word " * 1000, reviewBody="A short body."), today=TODAY
    )
    fc = parsed.items[0]
    assert fc["explanation"] == "A short body." and fc["answer"].endswith("…")
    assert [n.message.split(" shortened")[0] for n in parsed.notes] == ["answer"]
    huge = parse_claimreview(review(claimReviewed="claim " * 1000), today=TODAY)
    assert huge.items == [] and "too long" in huge.skipped[0].message


def test_ids_are_unique_per_language() -> None:
    same = "The same claim in two reviews"
    doc = [
        review(claimReviewed=same),
        review(claimReviewed=same),
        review(claimReviewed=same, inLanguage="ru"),
    ]
    parsed = parse_claimreview(doc, id_prefix="ex", today=TODAY)
    ids = [(fc["language"], fc["id"]) for fc in parsed.items]
    assert ids == [
        ("en", "ex-the-same-claim-in-two-reviews"),
        ("en", "ex-the-same-claim-in-two-reviews-2"),
        ("ru", "ex-the-same-claim-in-two-reviews"),
    ]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "@type",
                    "@graph",
                    "claimReviewed",
                    "reviewRating",
                    "alternateName",
                    "ratingValue",
                    "bestRating",
                    "author",
                    "url",
                    "itemReviewed",
                    "appearance",
                    "inLanguage",
                    "datePublished",
                    "reviewBody",
                ]
            ),
            children | st.just("ClaimReview"),
            max_size=6,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_any_json_imports_without_crashing(data: object) -> None:
    parsed = parse_claimreview(data, today=TODAY)
    for fc in parsed.items:
        FactCheck.model_validate(fc)


def test_imported_factchecks_pass_the_check_and_answer_the_claims(
    tmp_path: Path, db_engine: DbEngine
) -> None:
    # The English interface texts serve as Russian ones, so that this test does not depend on
    # the state of the Russian translation.
    root = make_library(tmp_path, {"ru": "Русский"})
    written = write_items("factchecks", imported(), root).written
    assert sorted(w.path.relative_to(root).as_posix() for w in written) == [
        "factchecks/en/a-photo-shows-the-new-city-bridge.yaml",
        "factchecks/en/offshore-wind-turbines-are-killing.yaml",
        "factchecks/en/the-city-council-tripled-the-property.yaml",
        "factchecks/ru/v-skvorechniki-vo-dvorakh-taino.yaml",
    ]
    engine = checked_engine(root, db_engine)
    english = Person(engine, key="e" * 64, language="en")
    out = english.say("Offshore wind turbines are killing whales along the East Coast")
    assert "Scientists found no evidence" in out and "Example Fact Check" in out
    russian = Person(engine, key="r" * 64, language="ru")
    out = russian.say(
        "В скворечники во дворах тайно устанавливают антенны 5G для слежки за жителями"
    )
    assert "обычные датчики качества воздуха" in out and "Проверка.Пример" in out


def test_an_unreadable_claim_date_is_a_note() -> None:
    review = {
        "@type": "ClaimReview",
        "claimReviewed": "The river turned red overnight",
        "itemReviewed": {"@type": "Claim", "author": {"name": "A blog"}, "datePublished": "soon"},
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
        "url": "https://factcheck.example.org/river",
        "datePublished": "2024-05-01",
    }
    parsed = parse_claimreview(review, today=TODAY)
    item = parsed.items[0]
    assert item["claimant"] == "A blog" and "claim_date" not in item
    assert [n.message for n in parsed.notes] == ["the claim's date 'soon' is not a date; left out"]
