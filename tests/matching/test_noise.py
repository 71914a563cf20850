"""Forwarding wrappers are removed; a tweet's signature is kept apart, not thrown away."""

from __future__ import annotations

import pytest

from bot.matching.noise import clean_message, split_camel


def test_tweet_signature_is_split_off() -> None:
    message = clean_message(
        "Obama was born in Kenya! https://t.co/x — Jane Doe (@JaneDoe42) March 7, 2022"
    )
    assert message.body == "Obama was born in Kenya!"
    assert message.signature == "Jane Doe"
    assert message.handle == "Jane Doe 42"
    assert message.date == "March 7, 2022"
    assert message.urls == ("https://t.co/x",)


def test_signature_with_day_first_date() -> None:
    message = clean_message("Claim text here — Name (@handle) 7 March 2022")
    assert message.body == "Claim text here"
    assert message.date == "7 March 2022"


def test_a_dash_inside_the_text_is_not_a_signature() -> None:
    text = "The vaccine — they say — contains a chip"
    assert clean_message(text).body == text
    assert clean_message(text).signature == ""


@pytest.mark.parametrize(
    "header",
    [
        "Forwarded from Daily News",
        "[Forwarded from Daily News]",
        "---------- Forwarded message ---------",
        "Forwarded many times",
        "Переслано от Новости 24",
        "Пересланное сообщение",
        "فوروارد شده از کانال خبر",
    ],
)
def test_forward_headers_are_dropped(header: str) -> None:
    message = clean_message(f"{header}\nThe Eiffel Tower was sold to China")
    assert message.body == "The Eiffel Tower was sold to China"


def test_subject_prefix_is_dropped_but_subject_kept() -> None:
    assert clean_message("Fwd: FW: Bleach cures covid").body == "Bleach cures covid"


def test_retweet_prefix_is_dropped() -> None:
    assert (
        clean_message("RT @someone: the moon landing was fake").body == "the moon landing was fake"
    )


def test_hashtags_and_handles_open_into_words() -> None:
    body = clean_message("#StopTheSteal says @realDonaldTrump").body
    assert body.split() == ["Stop", "The", "Steal", "says", "real", "Donald", "Trump"]
    assert split_camel("COVID19Vaccine") == "COVID 19 Vaccine"
