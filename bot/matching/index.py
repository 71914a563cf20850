"""A BM25F inverted index in numpy: the fast first stage that shortlists candidates.

Each document has several fields (claim and phrasings, headline, answer) whose term frequencies
are length-normalised per field, weighted and summed before BM25's saturation (BM25F), so a word
in the headline counts more than the same word in the answer without double counting. Per-term
scores are precomputed at build time: a query is a few array slices and one `bincount`, which keeps
100k documents in single-digit milliseconds. The index is read-only after building, so concurrent
queries from several threads are safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


_DOC_BITS = 32
_DOC_MASK = (1 << _DOC_BITS) - 1


@dataclass(frozen=True)
class Field:
    """How much one field counts (`weight`) and how much its length is normalised (`b`)."""

    weight: float
    b: float = 0.75


class Bm25Index:
    """BM25F over `fields[d][f]`, the tokens of field `f` of document `d`."""

    def __init__(
        self, docs: Sequence[Sequence[Sequence[str]]], fields: Sequence[Field], k1: float = 1.2
    ) -> None:
        self.size = len(docs)
        self.k1 = k1
        vocab: dict[str, int] = {}
        keys: list[IntArray] = []
        contributions: list[FloatArray] = []
        every_doc = np.arange(self.size, dtype=np.int64)
        for f, field in enumerate(fields):
            lengths = np.fromiter((len(doc[f]) for doc in docs), dtype=np.int64, count=self.size)
            total = int(lengths.sum())
            if total == 0:
                continue
            add = vocab.setdefault
            ids = np.fromiter(
                (add(token, len(vocab)) for doc in docs for token in doc[f]),
                dtype=np.int64,
                count=total,
            )
            average = float(lengths.mean())
            norm = (1.0 - field.b + field.b * lengths / average).astype(np.float32)
            # Term-major keys of (term, doc) pairs, so that sorted keys are posting lists.
            pair_keys, counts = np.unique(
                (ids << _DOC_BITS) | np.repeat(every_doc, lengths), return_counts=True
            )
            keys.append(pair_keys)
            contributions.append(
                (field.weight * counts / norm[pair_keys & _DOC_MASK]).astype(np.float32)
            )
        self.vocab = vocab
        if not keys:
            self._starts = np.zeros(len(vocab) + 1, dtype=np.int64)
            self._docs = np.zeros(0, dtype=np.int32)
            self._weights = np.zeros(0, dtype=np.float32)
            self.idf = np.zeros(0, dtype=np.float32)
            return
        pairs, inverse = np.unique(np.concatenate(keys), return_inverse=True)
        tf = np.bincount(inverse, weights=np.concatenate(contributions)).astype(np.float32)
        pair_terms = pairs >> _DOC_BITS
        df = np.bincount(pair_terms, minlength=len(vocab))
        self.idf = np.log1p((self.size - df + 0.5) / (df + 0.5)).astype(np.float32)
        self._docs = (pairs & _DOC_MASK).astype(np.int32)
        self._weights = (self.idf[pair_terms] * tf * (k1 + 1.0) / (tf + k1)).astype(np.float32)
        self._starts = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(df, out=self._starts[1:])

    def term_ids(self, tokens: Sequence[str]) -> list[int]:
        """Ids of the known tokens, each once."""
        seen: dict[int, None] = {}
        for token in tokens:
            term = self.vocab.get(token)
            if term is not None:
                seen.setdefault(term, None)
        return list(seen)

    def scores(self, terms: Sequence[int], weights: Sequence[float] | None = None) -> FloatArray:
        """The BM25F score of every document for these term ids (optionally weighted)."""
        if not terms:
            return np.zeros(self.size, dtype=np.float32)
        starts = self._starts
        docs = [self._docs[starts[t] : starts[t + 1]] for t in terms]
        if weights is None:
            values = [self._weights[starts[t] : starts[t + 1]] for t in terms]
        else:
            values = [
                self._weights[starts[t] : starts[t + 1]] * np.float32(w)
                for t, w in zip(terms, weights, strict=True)
            ]
        return np.bincount(
            np.concatenate(docs), weights=np.concatenate(values), minlength=self.size
        ).astype(np.float32)

    def top(self, scores: FloatArray, k: int) -> tuple[IntArray, FloatArray]:
        """The `k` best documents with a positive score, best first."""
        k = min(k, self.size)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        part = np.argpartition(-scores, k - 1)[:k] if k < self.size else np.arange(self.size)
        order = part[np.lexsort((part, -scores[part]))]
        order = order[scores[order] > 0]
        return order.astype(np.int64), scores[order]

    def nbytes(self) -> int:
        return int(self._docs.nbytes + self._weights.nbytes + self._starts.nbytes + self.idf.nbytes)
