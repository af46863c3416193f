"""Turn statements into the classifier's input: hashed, tf-idf weighted n-gram features.

Each statement becomes four text views (lower-cased words, lemmas from the lookup table
shipped with the model, character n-grams, and cue tokens such as ``need:explicit``,
``cue=have_to``, ``neg``, ``question``). Each view's n-grams are hashed (CRC-32) into a fixed
block of columns, weighted by sublinear tf-idf and L2-normalised. Hashing means the model
stores no vocabulary, so it is small and loads fast, and prediction needs only numpy and
scipy. Training and labelling both go through :func:`statement_views` and
:class:`Featurizer`, so the model learns from exactly what it later sees.
"""
from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from spacy.tokens import Span

from .cues import CueMatch
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
}
VIEWS: tuple[str, ...] = tuple(VIEW_SPECS)
WORD_CACHE_SIZE = 200_000
_WORDLIKE = re.compile(r"[^\W_]")
_DIGIT = re.compile(r"\d")
_MIX = 0x9E3779B1  # odd 32-bit constant mixing token hashes into n-gram hashes


def _norm(text: str) -> str:
    return text.lower().replace("’", "'").replace("‘", "'")


def statement_views(span: Span, cues: Sequence[CueMatch], lemmas: Mapping[str, str],
                    table: TokenTable | None = None) -> dict[str, list[str]]:
    """The four views of one statement (token lists); ``cues`` are the cues inside the span.

    ``table`` (the Doc's :class:`~needswants.segment.TokenTable`) saves re-reading the tokens."""
    if table is None:
        words = [_norm(t.text) for t in span if not t.is_space]
    else:
        words = [w for w, space in zip(table.lower[span.start:span.end], table.is_space[span.start:span.end])
                 if not space]
    cue_tokens = []
    for cue in cues:
        if cue.kind in ("need", "want", "expectation"):
            cue_tokens += [f"{cue.kind}:{cue.strength}", f"cue={cue.phrase.replace(' ', '_')}"]
        elif cue.kind == "negation":
            cue_tokens.append("neg")
        else:
            cue_tokens.append(cue.kind)
    content = [w for w in words if _WORDLIKE.search(w)]
    if "?" in words[-2:]:
        cue_tokens.append("question")
    if content and content[0] in QUESTION_STARTS:
        cue_tokens.append(f"starts={content[0]}")
    if content and content[0] == "please":
        cue_tokens.append("starts=please")
    if not content:
        cue_tokens.append("no_words")
    cue_tokens.append(f"len={min(len(content), 40) // 5}")
    if _DIGIT.search(" ".join(words)):
        cue_tokens.append("digits")
    return {"words": words, "lemmas": [lemmas.get(w, w) for w in words], "chars": words, "cues": cue_tokens}


def _hash(text: str, bits: int) -> int:
    return zlib.crc32(text.encode("utf-8", "surrogatepass")) & ((1 << bits) - 1)


class Featurizer:
    """Hashes views into one sparse matrix; ``fit`` learns the idf weights (``idf_``)."""

    def __init__(self) -> None:
        self.offsets: dict[str, int] = {}
        offset = 0
        for name, (bits, _) in VIEW_SPECS.items():
            self.offsets[name] = offset
            offset += 1 << bits
        self.n_features = offset
        self._char_cache: dict[str, list[int]] = {}
        self._token_cache: dict[str, int] = {}

    # -- hashing --------------------------------------------------------------------------
    def _char_grams(self, word: str) -> list[int]:
        """Column indices of the character n-grams of one word (cached: words repeat a lot)."""
        cached = self._char_cache.get(word)
        if cached is None:
            bits, sizes = VIEW_SPECS["chars"]
            offset = self.offsets["chars"]
            padded = f" {word} "
            cached = [offset + _hash(padded[i:i + n], bits) for n in sizes for i in range(len(padded) - n + 1)]
            self._remember(self._char_cache, word, cached)
        return cached

    def _token_hash(self, token: str) -> int:
        cached = self._token_cache.get(token)
        if cached is None:
            cached = _hash(token, 32)
            self._remember(self._token_cache, token, cached)
        return cached

    @staticmethod
    def _remember(cache: dict[str, Any], key: str, value: Any) -> None:
        if len(cache) >= WORD_CACHE_SIZE:
            cache.clear()
        cache[key] = value

    def _columns(self, view: Mapping[str, Sequence[str]]) -> list[int]:
        """Column index of every n-gram occurrence of one statement (repeats count).

        A token n-gram's hash combines its tokens' CRC-32 hashes, so no n-gram string is built.
        """
        columns: list[int] = []
        for name in ("words", "lemmas", "cues"):
            bits, sizes = VIEW_SPECS[name]
            offset, mask = self.offsets[name], (1 << bits) - 1
            hashes = [self._token_hash(t) for t in view[name]]
            columns.extend(offset + (h & mask) for h in hashes)
            if 2 in sizes:
                columns.extend(offset + (((a * _MIX) ^ b) & mask) for a, b in zip(hashes, hashes[1:]))
            if 3 in sizes:
                columns.extend(offset + (((((a * _MIX) ^ b) * _MIX) ^ c) & mask)
                               for a, b, c in zip(hashes, hashes[1:], hashes[2:]))
        for word in view["chars"]:
            columns.extend(self._char_grams(word))
        return columns

    def _counts(self, views: Sequence[Mapping[str, Sequence[str]]]) -> sp.csr_matrix:
        """Raw n-gram counts, one row per statement (repeated n-grams summed)."""
        columns: list[int] = []
        lengths = np.zeros(len(views), dtype=np.int64)
        for r, view in enumerate(views):
            found = self._columns(view)
            columns.extend(found)
            lengths[r] = len(found)
        rows = np.repeat(np.arange(len(views), dtype=np.int64), lengths)
        keys, counts = np.unique(rows * self.n_features + np.array(columns, dtype=np.int64), return_counts=True)
        indptr = np.zeros(len(views) + 1, dtype=np.int64)
        np.cumsum(np.bincount(keys // self.n_features, minlength=len(views)), out=indptr[1:])
        return sp.csr_matrix((counts.astype(np.float64), keys % self.n_features, indptr),
                             shape=(len(views), self.n_features))

    # -- weighting ------------------------------------------------------------------------
    def fit(self, views: Sequence[Mapping[str, Sequence[str]]]) -> "Featurizer":
        counts = self._counts(views)
        df = np.bincount(counts.indices, minlength=self.n_features).astype(np.float64)
        n = len(views)
        self.idf_ = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
        self.idf_[self.offsets["cues"]:self.offsets["cues"] + (1 << VIEW_SPECS["cues"][0])] = 1.0
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
