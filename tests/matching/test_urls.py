"""Link canonicalisation: the same article shared through different apps is one key."""

from __future__ import annotations

import pytest

from bot.matching.urls import canonical_url, find_urls, remove_urls


@pytest.mark.parametrize(
    "variant",
    [
        "https://example.com/news/story-1",
        "http://www.example.com/news/story-1/",
        "https://EXAMPLE.com/news/story-1#comments",
        "https://m.example.com/news/story-1?utm_source=telegram&utm_medium=share",
        "https://example.com/news/story-1?fbclid=IwAR123&gclid=abc",
        "https://example.com:443/news/story-1?si=xyz&igshid=q",
        "example.com/news/story-1",
    ],
)
def test_tracking_and_host_variants_share_a_key(variant: str) -> None:
    assert canonical_url(variant) == "example.com/news/story-1"


def test_meaningful_parameters_are_kept_and_sorted() -> None:
    assert (
        canonical_url("https://youtube.com/watch?v=abc&utm_source=x") == "youtube.com/watch?v=abc"
    )
    assert canonical_url("https://site.org/a?b=2&a=1") == "site.org/a?a=1&b=2"


def test_path_case_is_kept() -> None:
    assert canonical_url("https://t.co/AbCdEf") == "t.co/AbCdEf"


def test_find_urls_in_glued_tweet_text() -> None:
    text = "#Minecrafthttps://t.co/V4Lzv97qOc and #Hanukkahpic.twitter.com/IfkdcwGENr."
    assert find_urls(text) == ["https://t.co/V4Lzv97qOc", "pic.twitter.com/IfkdcwGENr"]
    assert "t.co" not in remove_urls(text)


def test_find_urls_stops_at_the_next_link_and_sentence_end() -> None:
    text = "see https://a.org/x,https://b.org/y. Or www.c.org!"
    assert find_urls(text) == ["https://a.org/x,", "https://b.org/y", "www.c.org"] or find_urls(
        text
    ) == ["https://a.org/x", "https://b.org/y", "www.c.org"]
