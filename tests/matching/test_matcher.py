"""The matcher finds the intended fact-check through the noise people forward, in several
scripts, answers only when sure, and says it has nothing for unrelated text."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.matching import Document, Matcher, Thresholds, Tier

LIBRARY = [
    Document(
        "vaccine-chip",
        "en",
        "COVID-19 vaccines contain microchips that track people",
        phrasings=("The vaccine injects a 5G tracking chip",),
        title="Do COVID-19 vaccines contain tracking microchips?",
        answer="No vaccine contains a microchip; the ingredients are public.",
        urls=("https://example.org/stories/vaccine-microchip-tracking",),
    ),
    Document(
        "vaccine-autism",
        "en",
        "Childhood vaccines cause autism",
        answer="Large studies of millions of children found no link.",
    ),
    Document(
        "moon-landing",
        "en",
        "The 1969 Moon landing was filmed in a Hollywood studio",
        phrasings=("Apollo 11 never went to the Moon",),
    ),
    Document("eiffel-sold", "en", "France sold the Eiffel Tower to China for 3 billion euros"),
    Document("bleach-cure", "en", "Drinking bleach cures the coronavirus"),
    Document("shark-highway", "en", "A photo shows a shark swimming on a flooded highway"),
    Document("pope-endorse", "en", "Pope Francis endorsed Donald Trump for president"),
    Document("obama-kenya", "en", "Barack Obama was born in Kenya"),
    Document("5g-covid", "en", "5G mobile towers spread the coronavirus"),
    Document("chemtrails", "en", "Airplane contrails are chemicals sprayed to control the weather"),
    Document("flat-earth", "en", "NASA hides that the Earth is flat"),
    Document("water-memory", "en", "Homeopathic water remembers substances it once contained"),
    Document("voting-dead", "en", "Thousands of dead people voted in the 2020 election"),
    Document("vaccine-chip", "ru", "Вакцины от COVID-19 содержат микрочипы для слежки за людьми"),
    Document("ru-garlic", "ru", "Чеснок защищает от коронавируса"),
    Document("ru-iodine", "ru", "Йодная сетка на коже лечит простуду"),
    Document("fa-wifi", "fa", "امواج وای‌فای باعث سرطان مغز در کودکان می‌شود"),
    Document("fa-tea", "fa", "نوشیدن چای داغ ویروس کرونا را در گلو می‌کشد"),
    Document("fa-onion", "fa", "پیاز خام در اتاق ویروس آنفولانزا را جذب می‌کند"),
    Document("zh-salt", "zh", "吃盐可以预防核辐射"),
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(LIBRARY)


FINDS = [
    # (what the user forwards, the fact-check it repeats)
    ("covid vaccines contain microchips that track people", "vaccine-chip"),
    ("COVID VACCINES CONTAIN MICROCHIPS THAT TRACK PEOPLE!!!", "vaccine-chip"),  # case
    ("covid vacines contian microchip that trak people", "vaccine-chip"),  # typos
    ("😱😱 covid vaccines 💉 contain microchips 🔥 that track people 👀", "vaccine-chip"),  # emoji
    (
        "Forwarded from Truth Channel\ncovid vaccines contain microchips to track people",
        "vaccine-chip",
    ),  # forwarded-message noise
    (
        "They inject microchips with the covid vaccine to track us "
        "https://t.co/AbC123 — Jane Doe (@JaneDoe) March 7, 2021",
        "vaccine-chip",
    ),  # tweet signature
    ("the moon landing in 1969 was filmed in a studio in hollywood", "moon-landing"),
    ("apollo 11 never went to the moon, wake up", "moon-landing"),  # alternate phrasing
    ("BREAKING: China bought the Eiffel Tower for 3 billion euros", "eiffel-sold"),
    ("drink bleach, it cures corona virus", "bleach-cure"),
    ("#5G towers are spreading #coronavirus", "5g-covid"),
    ("Pope Francis has endorsed Trump for president", "pope-endorse"),
    ("Переслано от Новости\nВакцины от ковида содержат микрочипы для слежки", "vaccine-chip"),
    ("ЧЕСНОК защищает от коронавируса!!!", "ru-garlic"),
    ("امواج وای فای باعث سرطان مغز در کودکان میشود", "fa-wifi"),  # no ZWNJ
    ("نوشيدن چاي داغ ويروس كرونا را در گلو مي كشد", "fa-tea"),  # Arabic yeh and kaf
    ("吃盐能预防核辐射吗", "zh-salt"),
]


@pytest.mark.parametrize(("text", "expected"), FINDS)
def test_finds_the_intended_factcheck(matcher: Matcher, text: str, expected: str) -> None:
    result = matcher.match(text)
    assert result.tier is not Tier.NONE
    assert result.best is not None
    assert result.best.document_id == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/stories/vaccine-microchip-tracking",
        "look!! https://www.Example.org/stories/vaccine-microchip-tracking/?utm_source=tg&fbclid=1",
        "http://m.example.org/stories/vaccine-microchip-tracking?si=abc#comments",
    ],
)
def test_exact_url_wins_outright(matcher: Matcher, url: str) -> None:
    result = matcher.match(url + " moon landing hollywood studio")
    assert result.tier is Tier.ANSWER
    assert result.best is not None
    assert result.best.document_id == "vaccine-chip"
    assert result.best.score == 1.0


@pytest.mark.parametrize(
    "text",
    [
        "my cat likes tuna",
        "what time is the meeting tomorrow?",
        "happy birthday grandma, we love you ❤️",
        "the weather in paris is lovely today",
        "😂😂😂",
        "   ",
        "https://example.com/",
        "Купил хлеб и молоко",
        "امروز هوا خوب است",
    ],
)
def test_unrelated_text_gets_none(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).tier is Tier.NONE


def test_user_language_is_preferred_not_required(matcher: Matcher) -> None:
    text = "COVID-19 vaccines contain microchips"
    russian = matcher.match(text, language="ru")
    assert russian.best is not None
    assert russian.best.document_id == "vaccine-chip"
    english = matcher.match("Вакцины содержат микрочипы для слежки", language="en")
    assert english.best is not None
    assert (english.best.document_id, english.best.language) == ("vaccine-chip", "ru")


def test_one_match_per_factcheck_id(matcher: Matcher) -> None:
    result = matcher.match("COVID-19 vaccines microchips Вакцины микрочипы", top=5)
    ids = [m.document_id for m in result.matches]
    assert len(ids) == len(set(ids))


def test_top_limits_the_matches(matcher: Matcher) -> None:
    result = matcher.match("vaccines cause autism and contain microchips", top=1)
    assert len(result.matches) == 1


def test_scores_are_ordered_probabilities(matcher: Matcher) -> None:
    result = matcher.match("vaccines contain microchips and cause autism", top=3)
    scores = [m.score for m in result.matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_thresholds_decide_the_tier() -> None:
    text = "covid vaccines contain microchips that track people"
    always = Matcher(LIBRARY, Thresholds(answer=0.0, suggest=0.0))
    never = Matcher(LIBRARY, Thresholds(answer=1.01, suggest=1.01))
    suggest_only = Matcher(LIBRARY, Thresholds(answer=1.01, suggest=0.0))
    assert always.match(text).tier is Tier.ANSWER
    assert never.match(text).tier is Tier.NONE
    assert suggest_only.match(text).tier is Tier.SUGGEST


def test_empty_library() -> None:
    result = Matcher([]).match("covid vaccines contain microchips")
    assert result.tier is Tier.NONE
    assert result.matches == ()


def test_concurrent_matches_agree_with_sequential(matcher: Matcher) -> None:
    texts = [text for text, _ in FINDS] * 5
    expected = [matcher.match(text) for text in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(matcher.match, texts))
    assert got == expected


def test_masked_documents_are_never_ranked(matcher: Matcher) -> None:
    text = "Bill Gates puts microchips in the vaccines"
    full = matcher.rank(text)
    assert full.docs
    masked = matcher.rank(text, without=[full.docs[0]])
    assert full.docs[0] not in masked.docs
    assert masked.confidence < full.confidence


def test_an_answer_always_shows_its_factcheck_whatever_the_thresholds() -> None:
    # Thresholds out of order (the config refuses them; a caller might not) still never give
    # an answer without the fact-check it answers with.
    matcher = Matcher(LIBRARY, Thresholds(answer=0.01, suggest=0.99, candidate=0.99))
    result = matcher.match("France sold the Eiffel Tower to China for 3 billion euros")
    assert result.tier is Tier.ANSWER
    assert result.best is not None
    assert result.best.document_id == "eiffel-sold"
