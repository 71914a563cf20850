"""What the reranker knows about one (message, candidate fact-check) pair.

BM25 shortlists by shared rare words; it cannot tell whether the message says what the fact-check
says. These features add that evidence: how much of the claim and headline the message contains
(weighted by rarity), fuzzy string similarity of the whole texts, agreement on numbers and on the
names the message mentions, and the tweet signature's name. Each is in [0, 1] or close, so one
set of weights works for libraries of any size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from bot.matching.corpus import (
    NAME,
    Corpus,
    Forward,
    capitalised,
    headline_cased,
    negated,
    phrases,
    predicate_terms,
    terms,
)
from bot.matching.index import FloatArray, IntArray
from bot.matching.noise import clean_message
from bot.matching.normalise import fold, split_folded
from bot.matching.stem import stem
from bot.matching.stopwords import STOPWORDS
from bot.matching.urls import canonical_url

NAMES = (
    "bm25_rel",  # first-stage score relative to the best candidate's
    "bm25_frac",  # first-stage score over the best score any document could get for the query
    "cov_claim",  # rarity-weighted share of the claim's terms found in the message
    "cov_title",  # the same for the headline
    "cov_query",  # rarity-weighted share of the message's terms found in the fact-check
    "set_claim",  # rapidfuzz token_set_ratio, message vs the closest phrasing of the claim
    "set_title",  # rapidfuzz token_set_ratio, message vs the headline
    "num_hit",  # numbers of the message found in the fact-check (0-3, scaled)
    "num_missing",  # numbers of the claim missing from the message (0-3, scaled)
    "entity",  # rarity-weighted share of the message's capitalised names found
    "signature",  # share of a tweet signature's name found
    "year_hit",  # the year of a tweet signature's date appears in the fact-check
    "doc_names",  # share of the claim's capitalised names found in the message (0.5 if none)
    "pred_claim",  # the best phrasing's predicate (its words but names) found in the message
    "pred_query",  # the message's words but names found in the claim or headline (rarity-weighted)
    "num_extra",  # numbers of the message absent from the claim and headline (0-3, scaled)
    "negation",  # one of message and claim denies or dismisses ("not", "never", "fake"), not both
    "shared",  # distinct content words of the message found in the fact-check (0-3, scaled)
    "phrase",  # the best phrasing's pairs of adjacent content words found in the message
    "cosine",  # sentence-embedding cosine with the closest phrasing (0 without the model)
)
COLUMN = {name: position for position, name in enumerate(NAMES)}
# Names must be rarer than this share of the rarest term's idf to count: "The" is not a name.
_NAME_MIN_IDF_SHARE = 0.22
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@dataclass(frozen=True)
class Query:
    """A message prepared against one corpus: term ids with their weights and what the features
    compare (folded text, names, signature, year of the date, links)."""

    folded: str
    body: frozenset[int]
    words: int
    term_ids: list[int]
    weights: list[float]
    entities: list[int]
    signature: list[int]
    years: list[int]
    urls: tuple[str, ...]
    predicate: list[int] = field(default_factory=list)  # the body's words but names, known ones
    unknown_mass: float = 0.0  # idf mass of the body's words but names the library never uses
    numbers: list[int] = field(default_factory=list)  # the body's numbers the library knows
    unknown_numbers: int = 0  # and those it does not
    negated: bool = False
    phrases: frozenset[int] = frozenset()  # keys of adjacent content-word pairs (corpus.phrases)
    vector: FloatArray | None = None  # the folded body's sentence embedding (Matcher.shortlist)


def query_terms(text: str) -> list[str]:
    """Index terms of a message, without function words (see stopwords)."""
    return [stem(token) for token in split_folded(fold(text)) if token not in STOPWORDS]


def prepare(corpus: Corpus, text: str, signature_weight: float) -> Query:
    message = clean_message(text)
    vocab = corpus.index.vocab
    content = query_terms(message.body)
    body = [vocab[t] for t in content if t in vocab]
    sign = [vocab[t] for t in query_terms(message.signature) if t in vocab]
    years = [vocab[t] for t in _YEAR.findall(message.date) if t in vocab]
    weight: dict[int, float] = dict.fromkeys(sign + years, signature_weight)
    weight.update(dict.fromkeys(body, 1.0))
    idf = corpus.index.idf
    least = _NAME_MIN_IDF_SHARE * float(idf.max()) if len(idf) else 0.0
    # In title case or capitals every word looks like a name; then a word the library knows
    # counts as one only if the library's claims write it as one.
    headline = headline_cased(message.body)

    def name(term: str) -> bool:
        return not headline or term not in vocab or bool(corpus.name_like[vocab[term]])

    names = " ".join(NAME.findall(message.body))
    entities = [
        vocab[t]
        for t in dict.fromkeys(terms(names))
        if t in vocab and idf[vocab[t]] >= least and name(t)
    ]
    folded = fold(message.body)
    subject = {t for t in terms(" ".join(capitalised(message.body))) if name(t)}
    said = list(dict.fromkeys(predicate_terms(folded, subject)))
    rarest = float(idf.max()) if len(idf) else 1.0
    numbers = [t for t in dict.fromkeys(content) if t[:1].isdigit()]
    return Query(
        folded=folded,
        body=frozenset(body),
        words=len(set(content)),
        term_ids=list(weight),
        weights=list(weight.values()),
        entities=entities,
        signature=list(dict.fromkeys(sign)),
        years=years,
        urls=tuple(canonical_url(url) for url in message.urls),
        predicate=[vocab[t] for t in said if t in vocab],
        unknown_mass=rarest * sum(1 for t in said if t not in vocab),
        numbers=[vocab[t] for t in numbers if t in vocab],
        unknown_numbers=sum(1 for t in numbers if t not in vocab),
        negated=negated(folded),
        phrases=frozenset(phrases([vocab.get(t, -1) for t in content], len(vocab))),
    )


def _share(
    corpus: Corpus, field_terms: IntArray, owner: IntArray, mask: FloatArray, count: int
) -> FloatArray:
    """Per candidate: the idf mass of its terms found in `mask`, over its total idf mass."""
    idf = corpus.index.idf[field_terms]
    found = np.bincount(owner, weights=idf * mask[field_terms], minlength=count)
    total = np.bincount(owner, weights=idf, minlength=count)
    return (found / np.maximum(total, 1e-6)).astype(np.float32)


def _fuzzy(query: str, texts: list[str]) -> npt.NDArray[np.float32]:
    scores = process.cdist([query], texts, scorer=fuzz.token_set_ratio, dtype=np.uint8, workers=1)
    similarity: npt.NDArray[np.float32] = scores[0].astype(np.float32) / 100.0
    return similarity


def compute(corpus: Corpus, query: Query, docs: IntArray, bm25: FloatArray) -> FloatArray:
    """The feature matrix: one row per candidate, columns as in NAMES."""
    count = len(docs)
    out = np.zeros((count, len(NAMES)), dtype=np.float32)
    if count == 0:
        return out
    col = COLUMN
    idf = corpus.index.idf
    mask = np.zeros(corpus.vocab_size, dtype=np.float32)
    mask[query.term_ids] = query.weights
    out[:, col["bm25_rel"]] = bm25 / (float(bm25.max()) or 1.0)
    k1 = corpus.index.k1
    best_possible = float((idf[query.term_ids] * np.asarray(query.weights)).sum()) * (k1 + 1.0)
    out[:, col["bm25_frac"]] = bm25 / (best_possible or 1.0)
    claim_terms, claim_owner = corpus.claim.gather(docs)
    # The claim's coverage is that of its best-covered phrasing.
    out[:, col["cov_claim"]], _, _ = _best_row_share(
        corpus, corpus.variant_starts, corpus.wording, docs, mask
    )
    title_terms, title_owner = corpus.title.gather(docs)
    out[:, col["cov_title"]] = _share(corpus, title_terms, title_owner, mask, count)
    every_terms, every_owner = corpus.every.gather(docs)
    query_mass = float((idf[query.term_ids] * np.asarray(query.weights)).sum()) or 1.0
    found = np.bincount(every_owner, weights=idf[every_terms] * mask[every_terms], minlength=count)
    out[:, col["cov_query"]] = found / query_mass
    # Fuzzy similarity of the folded texts, the claim's best phrasing counting.
    variants = [corpus.variants[int(d)] for d in docs]
    owner = np.repeat(np.arange(count), [len(group) for group in variants])
    scores = _fuzzy(query.folded, [text for group in variants for text in group])
    best = np.zeros(count, dtype=np.float32)
    np.maximum.at(best, owner, scores)
    out[:, col["set_claim"]] = best
    out[:, col["set_title"]] = _fuzzy(query.folded, [corpus.titles[int(d)] for d in docs])
    # Numbers: the message's found in the candidate, and the claim's missing from the message.
    numeric = corpus.numeric
    hits = np.bincount(every_owner, weights=(mask * numeric)[every_terms] > 0, minlength=count)
    out[:, col["num_hit"]] = np.minimum(hits, 3) / 3.0
    missing = numeric[claim_terms] * (mask[claim_terms] == 0)
    out[:, col["num_missing"]] = (
        np.minimum(np.bincount(claim_owner, weights=missing, minlength=count), 3) / 3.0
    )
    out[:, col["entity"]] = _present(corpus, query.entities, every_terms, every_owner, count)
    out[:, col["signature"]] = _present(corpus, query.signature, every_terms, every_owner, count)
    if query.years:
        year = np.zeros(corpus.vocab_size, dtype=np.float32)
        year[query.years] = 1.0
        hits = np.bincount(every_owner, weights=year[every_terms], minlength=count)
        out[:, col["year_hit"]] = np.minimum(hits, 1)
    name_terms, name_owner = corpus.names.gather(docs)
    has_names = np.bincount(name_owner, minlength=count) > 0
    named = _share(corpus, name_terms, name_owner, mask, count)
    out[:, col["doc_names"]] = np.where(has_names, named, 0.5)
    _predicate(corpus, query, docs, mask, out)
    if query.vector is not None and corpus.vectors is not None:
        rows, row_owner = _rows(corpus.variant_starts, docs)
        closest = np.full(count, -1.0, dtype=np.float32)
        np.maximum.at(closest, row_owner, corpus.vectors[rows] @ query.vector)
        out[:, col["cosine"]] = closest
    return out


def _best_row_share(
    corpus: Corpus, starts: IntArray, field: Forward, docs: IntArray, mask: FloatArray
) -> tuple[FloatArray, IntArray, IntArray]:
    """Per candidate, the share (see `_share`) of its best-covered row (a phrasing of the claim);
    and the rows looked at, with the position of each one's candidate."""
    rows, row_owner = _rows(starts, docs)
    terms, term_row = field.gather(rows)
    per_row = _share(corpus, terms, term_row, mask, len(rows))
    best = np.zeros(len(docs), dtype=np.float32)
    np.maximum.at(best, row_owner, per_row)
    return best, rows, row_owner


def _rows(starts: IntArray, docs: IntArray) -> tuple[IntArray, IntArray]:
    """The rows `starts[d]` to `starts[d + 1]` of every document d of `docs`, concatenated, and
    for each row the position of its document in `docs`."""
    first = starts[docs]
    sizes = starts[docs + 1] - first
    rows = np.repeat(first, sizes) + (
        np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    )
    return rows, np.repeat(np.arange(len(docs)), sizes)


def _predicate(
    corpus: Corpus, query: Query, docs: IntArray, mask: FloatArray, out: FloatArray
) -> None:
    """The predicate columns: does the message say what the claim says, not only about whom."""
    col = COLUMN
    count = len(docs)
    idf = corpus.index.idf
    # The claim's side: per phrasing (and headline) the share of its predicate in the message;
    # the best phrasing counts.
    out[:, col["pred_claim"]], rows, row_owner = _best_row_share(
        corpus, corpus.statement_starts, corpus.predicate, docs, mask
    )
    pairs, pair_row = corpus.phrases.gather(rows)
    if len(pairs) and query.phrases:
        hit = np.isin(pairs, np.fromiter(query.phrases, dtype=np.int64))
        found = np.bincount(pair_row, weights=hit, minlength=len(rows))
        per_pair = found / np.maximum(np.bincount(pair_row, minlength=len(rows)), 1)
        best_pair = np.zeros(count, dtype=np.float32)
        np.maximum.at(best_pair, row_owner, per_pair.astype(np.float32))
        out[:, col["phrase"]] = best_pair
    # The message's side: its words but names found in the claim or headline, rarity-weighted;
    # words the library never uses count as the rarest.
    stated, stated_owner = corpus.stated.gather(docs)
    own = np.zeros(corpus.vocab_size, dtype=np.float32)
    own[query.predicate] = idf[query.predicate]
    total = float(own.sum()) + query.unknown_mass
    found = np.bincount(stated_owner, weights=own[stated], minlength=count)
    out[:, col["pred_query"]] = found / total if total > 0 else 0.0
    numbers = np.zeros(corpus.vocab_size, dtype=np.float32)
    numbers[query.numbers] = 1.0
    known = np.bincount(stated_owner, weights=numbers[stated], minlength=count)
    extra = len(query.numbers) + query.unknown_numbers - known
    out[:, col["num_extra"]] = np.minimum(extra, 3) / 3.0
    out[:, col["negation"]] = corpus.negated[docs] != query.negated
    every, every_owner = corpus.every.gather(docs)
    body = np.zeros(corpus.vocab_size, dtype=np.float32)
    body[list(query.body)] = 1.0
    shared = np.bincount(every_owner, weights=body[every], minlength=count)
    out[:, col["shared"]] = np.minimum(shared, 3) / 3.0


def _present(
    corpus: Corpus, wanted: list[int], every_terms: IntArray, every_owner: IntArray, count: int
) -> FloatArray:
    """Per candidate: the idf-weighted share of `wanted` terms that it contains."""
    if not wanted:
        return np.zeros(count, dtype=np.float32)
    idf = corpus.index.idf
    mask = np.zeros(corpus.vocab_size, dtype=np.float32)
    mask[wanted] = idf[wanted]
    total = float(mask.sum()) or 1.0
    found = np.bincount(every_owner, weights=mask[every_terms], minlength=count)
    return (found / total).astype(np.float32)
