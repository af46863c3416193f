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

import math
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from spacy.tokens import Span

from .cues import CueMatch

QUESTION_STARTS = frozenset({
    "how", "why", "what", "where", "when", "who", "which", "can", "could", "do", "does", "did",
    "is", "are", "will", "would", "should", "may", "am", "have", "has",
})
# view name -> (bits of its hash block, n-gram sizes); "chars" n-grams are of letters
VIEW_SPECS: dict[str, tuple[int, tuple[int, ...]]] = {
    "words": (17, (1, 2)),
    "lemmas": (17, (1, 2, 3)),
    "chars": (18, (2, 3, 4, 5)),
    "cues": (12, (1,)),
}
VIEWS: tuple[str, ...] = tuple(VIEW_SPECS)
WORD_CACHE_SIZE = 200_000


def _norm(text: str) -> str:
    return text.lower().replace("’", "'").replace("‘", "'")


def statement_views(span: Span, cues: Sequence[CueMatch], lemmas: Mapping[str, str]) -> dict[str, list[str]]:
    """The four views of one statement (token lists); ``cues`` are the cues inside the span."""
    words = [_norm(t.text) for t in span if not t.is_space]
    cue_tokens = []
    for cue in cues:
        if cue.kind in ("need", "want", "expectation"):
            cue_tokens += [f"{cue.kind}:{cue.strength}", f"cue={cue.phrase.replace(' ', '_')}"]
        elif cue.kind == "negation":
            cue_tokens.append("neg")
        else:
            cue_tokens.append(cue.kind)
    content = [w for w in words if any(ch.isalnum() for ch in w)]
    if span.text.rstrip().endswith("?"):
        cue_tokens.append("question")
    if content and content[0] in QUESTION_STARTS:
        cue_tokens.append(f"starts={content[0]}")
    if content and content[0] == "please":
        cue_tokens.append("starts=please")
    if not content:
        cue_tokens.append("no_words")
    cue_tokens.append(f"len={min(len(content), 40) // 5}")
    if any(ch.isdigit() for ch in span.text):
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

    # -- hashing --------------------------------------------------------------------------
    def _char_grams(self, word: str) -> list[int]:
        cached = self._char_cache.get(word)
        if cached is None:
            bits, sizes = VIEW_SPECS["chars"]
            padded = f" {word} "
            cached = [_hash(padded[i:i + n], bits) for n in sizes for i in range(len(padded) - n + 1)]
            if len(self._char_cache) >= WORD_CACHE_SIZE:
                self._char_cache.clear()
            self._char_cache[word] = cached
        return cached

    def _view_counts(self, name: str, tokens: Sequence[str]) -> Counter:
        bits, sizes = VIEW_SPECS[name]
        if name == "chars":
            counts: Counter = Counter()
            for word in tokens:
                counts.update(self._char_grams(word))
            return counts
        grams = [" ".join(tokens[i:i + n]) for n in sizes for i in range(len(tokens) - n + 1)]
        return Counter(_hash(g, bits) for g in grams)

    def counts(self, views: Sequence[Mapping[str, Sequence[str]]]) -> list[dict[str, Counter]]:
        return [{name: self._view_counts(name, v[name]) for name in VIEWS} for v in views]

    # -- weighting ------------------------------------------------------------------------
    def fit(self, views: Sequence[Mapping[str, Sequence[str]]]) -> "Featurizer":
        df = np.zeros(self.n_features, dtype=np.float64)
        for row in self.counts(views):
            for name, counted in row.items():
                if counted:
                    df[np.fromiter(counted.keys(), dtype=np.int64) + self.offsets[name]] += 1
        n = len(views)
        self.idf_ = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
        self.idf_[self.offsets["cues"]:] = 1.0  # cue tokens are not down-weighted
        return self

    def transform(self, views: Sequence[Mapping[str, Sequence[str]]]) -> sp.csr_matrix:
        indptr, indices, data = [0], [], []
        idf = self.idf_
        for row in self.counts(views):
            for name in VIEWS:
                counted = row[name]
                if not counted:
                    continue
                cols = np.fromiter(counted.keys(), dtype=np.int64) + self.offsets[name]
                values = (1.0 + np.log(np.fromiter(counted.values(), dtype=np.float64))) * idf[cols]
                norm = math.sqrt(float(values @ values)) or 1.0
                indices.append(cols)
                data.append(values / norm)
            indptr.append(indptr[-1] + sum(len(row[name]) for name in VIEWS))
        cols = np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64)
        vals = np.concatenate(data) if data else np.zeros(0)
        return sp.csr_matrix((vals.astype(np.float32), cols, np.array(indptr)), shape=(len(views), self.n_features))

    def fit_transform(self, views: Sequence[Mapping[str, Sequence[str]]]) -> sp.csr_matrix:
        return self.fit(views).transform(views)

    # -- state ------------------------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        return {"view_specs": {k: [b, list(s)] for k, (b, s) in VIEW_SPECS.items()}}

    def check_state(self, state: Mapping[str, Any]) -> bool:
        return state == self.get_state()
