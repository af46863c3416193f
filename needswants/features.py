"""Turn statements into the classifier's input: hashed, tf-idf weighted n-gram features.

Each statement becomes five text views (lower-cased words, lemmas from the lookup table
shipped with the model, character n-grams, cue tokens such as ``need:explicit``,
``cue=have_to``, ``neg``, ``question``, and the hints of ``hints.py`` such as ``hint=told``).
Each view's n-grams are hashed (CRC-32) into a fixed block of columns, weighted by sublinear
tf-idf (idf 1 for cues and hints) and L2-normalised. Hashing means the model
stores no vocabulary, so it is small and loads fast, and prediction needs only numpy and
scipy. Training and labelling both go through :func:`statement_views` and
:class:`Featurizer`, so the model learns from exactly what it later sees.
"""
from __future__ import annotations

import functools
import itertools
import re
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from spacy.tokens import Span

from .cache import WordCache
from .cues import CueMatch
from .lemmas import LemmaTable
from .segment import TokenTable

QUESTION_STARTS = frozenset({
    "how", "why", "what", "where", "when", "who", "which", "can", "could", "do", "does", "did",
    "is", "are", "will", "would", "should", "may", "am", "have", "has",
})
# view name -> (bits of its hash block, n-gram sizes); "chars" n-grams are of letters
VIEW_SPECS: dict[str, tuple[int, tuple[int, ...]]] = {
    "words": (17, (1, 2)),
    "lemmas": (17, (1, 2)),
    "chars": (18, (2, 3, 4, 5)),
    "cues": (12, (1,)),
    "hints": (10, (1,)),
}
UNWEIGHTED_VIEWS = ("cues", "hints")  # marker tokens: idf 1, each counts as it is
VIEWS: tuple[str, ...] = tuple(VIEW_SPECS)
_WORDLIKE = re.compile(r"[^\W_]")
_DIGIT = re.compile(r"\d")
_MIX = 0x9E3779B1  # odd 32-bit constant mixing token hashes into n-gram hashes


def _norm(text: str) -> str:
    return text.lower().replace("’", "'").replace("‘", "'")


def statement_words(table: TokenTable, start: int, end: int) -> tuple[str, ...]:
    """The normalised words (every token but spaces) of the statement of tokens [start, end)."""
    return tuple([word for word, space in zip(table.lower[start:end], table.is_space[start:end]) if not space])


def span_words(span: Span) -> list[str]:
    """The normalised words of a Span, read from its tokens (for a single statement)."""
    return [_norm(t.text) for t in span if not t.is_space]


@functools.lru_cache(maxsize=4096)
def _cue_tokens(kind: str, strength: str, phrase: str) -> tuple[str, ...]:
    """The cue-view tokens of one cue: ``need:explicit`` and ``cue=have_to``, ``neg``, or its level."""
    if kind in ("need", "want", "expectation"):
        return f"{kind}:{strength}", f"cue={phrase.replace(' ', '_')}"
    if kind == "negation":
        return ("neg",)
    return (kind,)


def _is_wordlike(word: str) -> bool:
    """Whether ``word`` holds a letter or digit (a content word, not punctuation)."""
    return _WORDLIKE.search(word) is not None


_WORDLIKE_WORDS = WordCache(_is_wordlike)  # word -> _is_wordlike(word), looked up without a Python call


_STARTS_TOKENS = {word: f"starts={word}" for word in QUESTION_STARTS}  # first word -> its cue token
_LENGTH_TOKENS = tuple(f"len={n // 5}" for n in range(41))  # content words (at most 40 counted) -> cue token


def statement_views(words: Sequence[str], cues: Sequence[CueMatch], lemmas: LemmaTable,
                    hints: Sequence[str] = ()) -> dict[str, Sequence[str]]:
    """The five views of one statement (token sequences) from its words (see
    :func:`statement_words`), the cues inside it, a lemma table (``lemmas.get(word, word)``)
    and its hint tokens (:func:`needswants.hints.statement_hints`). Tuples where they are built here: the
    garbage collector soon stops tracking tuples of strings."""
    cue_tokens = []
    for cue in cues:
        cue_tokens += _cue_tokens(cue.kind, cue.strength, cue.phrase)
    content = list(filter(_WORDLIKE_WORDS.__getitem__, words))
    if "?" in words[-2:]:
        cue_tokens.append("question")
    if content and content[0] in QUESTION_STARTS:
        cue_tokens.append(_STARTS_TOKENS[content[0]])
    if content and content[0] == "please":
        cue_tokens.append("starts=please")
    if not content:
        cue_tokens.append("no_words")
    cue_tokens.append(_LENGTH_TOKENS[min(len(content), 40)])
    if _DIGIT.search(" ".join(words)):
        cue_tokens.append("digits")
    return {"words": words, "lemmas": lemmas.lemmas_of(words), "chars": words, "cues": tuple(cue_tokens),
            "hints": tuple(hints)}


def _hash(text: str, bits: int) -> int:
    return zlib.crc32(text.encode("utf-8", "surrogatepass")) & ((1 << bits) - 1)


def _block_offsets() -> dict[str, int]:
    """First column of each view's block of hashed columns."""
    offsets, offset = {}, 0
    for name, (bits, _) in VIEW_SPECS.items():
        offsets[name] = offset
        offset += 1 << bits
    return offsets


OFFSETS: dict[str, int] = _block_offsets()
N_FEATURES = sum(1 << bits for bits, _ in VIEW_SPECS.values())
COLUMN_BITS = N_FEATURES.bit_length()  # a (row, column) pair packs into one int64 as row << COLUMN_BITS | column


GRAM_BYTES = np.dtype(np.int64).itemsize  # bytes of one n-gram column in :func:`_char_grams`


def _token_hash(token: str) -> int:
    return _hash(token, 32)


def _char_grams(word: str) -> bytes:
    """Column indices of the character n-grams of one word, as the bytes of an int64 array: the
    n-grams of many words are then put together by joining bytes, and bytes are small in a cache
    of many thousand words (and not tracked by the garbage collector)."""
    bits, sizes = VIEW_SPECS["chars"]
    offset, mask = OFFSETS["chars"], (1 << bits) - 1
    padded = f" {word} "
    encoded = padded.encode("utf-8", "surrogatepass")
    if len(encoded) == len(padded):  # ASCII: the n-grams' bytes are slices of the word's bytes
        columns = [offset + (zlib.crc32(encoded[i:i + n]) & mask) for n in sizes for i in range(len(padded) - n + 1)]
    else:
        columns = [offset + _hash(padded[i:i + n], bits) for n in sizes for i in range(len(padded) - n + 1)]
    return np.array(columns, dtype=np.int64).tobytes()


class Featurizer:
    """Hashes views into one sparse matrix; ``fit`` learns the idf weights (``idf_``)."""

    def __init__(self) -> None:
        self.offsets: dict[str, int] = dict(OFFSETS)
        self.n_features = N_FEATURES
        self._char_cache = WordCache(_char_grams)
        self._token_cache = WordCache(_token_hash)

    # -- hashing --------------------------------------------------------------------------
    def _token_columns(self, name: str, tokens: list[str], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every n-gram of view ``name``; ``tokens`` are the view's tokens of all
        statements one after another, ``rows`` the statement of each. A token n-gram's hash
        combines its tokens' CRC-32 hashes, so no n-gram string is built."""
        bits, sizes = VIEW_SPECS[name]
        offset, mask = self.offsets[name], np.uint64((1 << bits) - 1)
        hashes = np.fromiter(map(self._token_cache.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
        found_rows, found_columns = [rows], [hashes & mask]
        mix = np.uint64(_MIX)  # products wrap at 64 bits; the low bits kept by the mask are exact
        if 2 in sizes:
            same = rows[:-1] == rows[1:]  # n-grams never cross statements
            found_rows.append(rows[1:][same])
            found_columns.append(((hashes[:-1][same] * mix) ^ hashes[1:][same]) & mask)
        if 3 in sizes:
            same = (rows[:-2] == rows[1:-1]) & (rows[1:-1] == rows[2:])
            a, b, c = hashes[:-2][same], hashes[1:-1][same], hashes[2:][same]
            found_rows.append(rows[2:][same])
            found_columns.append(((((a * mix) ^ b) * mix) ^ c) & mask)
        columns = np.concatenate(found_columns).astype(np.int64) + offset
        return np.concatenate(found_rows), columns

    def _char_columns(self, views: Sequence[Mapping[str, Sequence[str]]]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every character n-gram of every word of every statement: the cached
        n-gram columns of each word (bytes, see :func:`_char_grams`) joined in one go."""
        words = [view["chars"] for view in views]
        grams = list(map(self._char_cache.__getitem__, itertools.chain.from_iterable(words)))
        columns = np.frombuffer(b"".join(grams), dtype=np.int64)
        sizes = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams)) // GRAM_BYTES  # n-grams of each word
        word_rows = np.repeat(np.arange(len(views), dtype=np.int64),
                              np.fromiter(map(len, words), dtype=np.int64, count=len(views)))
        return np.repeat(word_rows, sizes), columns

    def _counts(self, views: Sequence[Mapping[str, Sequence[str]]]) -> sp.csr_matrix:
        """Raw n-gram counts, one row per statement (repeated n-grams summed, columns sorted)."""
        found_rows, found_columns = [], []
        for name in ("words", "lemmas", "cues", "hints"):
            sequences = [view[name] for view in views]
            tokens = list(itertools.chain.from_iterable(sequences))
            lengths = np.fromiter(map(len, sequences), dtype=np.int64, count=len(views))
            rows, columns = self._token_columns(name, tokens, np.repeat(np.arange(len(views), dtype=np.int64), lengths))
            found_rows.append(rows)
            found_columns.append(columns)
        rows, columns = self._char_columns(views)
        rows, columns = np.concatenate([*found_rows, rows]), np.concatenate([*found_columns, columns])
        return self._summed(rows, columns, len(views))

    def _summed(self, rows: np.ndarray, columns: np.ndarray, n_rows: int) -> sp.csr_matrix:
        """The CSR matrix counting each (row, column) pair, columns sorted within each row (what
        ``coo_matrix(...).tocsr()`` gives, from one numpy sort of packed keys; int32 keys, which
        sort faster, whenever the rows allow)."""
        keys = (rows << COLUMN_BITS) | columns
        if n_rows <= np.iinfo(np.int32).max >> COLUMN_BITS:
            keys = keys.astype(np.int32)
        keys.sort()
        first = np.flatnonzero(np.diff(keys, prepend=-1))  # where each run of equal keys begins
        counts = np.diff(first, append=len(keys)).astype(np.float64)
        distinct = keys[first]
        indices = distinct & ((1 << COLUMN_BITS) - 1)
        indptr = np.searchsorted(distinct >> COLUMN_BITS, np.arange(n_rows + 1))
        matrix = sp.csr_matrix((counts, indices, indptr), shape=(n_rows, self.n_features))  # int32 indices when they fit
        matrix.has_sorted_indices = True
        return matrix

    # -- weighting ------------------------------------------------------------------------
    def fit(self, views: Sequence[Mapping[str, Sequence[str]]]) -> "Featurizer":
        counts = self._counts(views)
        df = np.bincount(counts.indices, minlength=self.n_features).astype(np.float64)
        n = len(views)
        self.idf_ = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
        for name in UNWEIGHTED_VIEWS:
            self.idf_[self.offsets[name]:self.offsets[name] + (1 << VIEW_SPECS[name][0])] = 1.0
        return self

    def transform(self, views: Sequence[Mapping[str, Sequence[str]]]) -> sp.csr_matrix:
        """Sublinear tf-idf, L2-normalised within each view's block of columns."""
        X = self._counts(views)
        X.data = (1.0 + np.log(X.data)) * self.idf_[X.indices]
        bounds = np.array([self.offsets[name] for name in VIEWS[1:]])
        block = np.searchsorted(bounds, X.indices, side="right")
        row = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
        key = row * len(VIEWS) + block
        norms = np.sqrt(np.bincount(key, weights=X.data ** 2, minlength=X.shape[0] * len(VIEWS)))
        X.data = X.data / norms[key]
        return X.astype(np.float32)

    def fit_transform(self, views: Sequence[Mapping[str, Sequence[str]]]) -> sp.csr_matrix:
        return self.fit(views).transform(views)

    # -- state ------------------------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        return {"view_specs": {k: [b, list(s)] for k, (b, s) in VIEW_SPECS.items()}}

    def check_state(self, state: Mapping[str, Any]) -> bool:
        return state == self.get_state()
