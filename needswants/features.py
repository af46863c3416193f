"""Turn statements into the classifier's input, and the fitted vectorizers that read it.

Each statement becomes four strings, one per view: lower-cased words, lemmas (from the
lookup table shipped with the model), character n-grams of the text, and cue tokens
(``need:explicit``, ``cue=have_to``, ``neg``, ``question``...). Training and labelling both
go through :func:`statement_views`, so the model learns from exactly what it later sees.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from spacy.tokens import Span

from .cues import CueMatch

VIEWS: tuple[str, ...] = ("words", "lemmas", "chars", "cues")
QUESTION_STARTS = frozenset({
    "how", "why", "what", "where", "when", "who", "which", "can", "could", "do", "does", "did",
    "is", "are", "will", "would", "should", "may", "am", "have", "has",
})


def _norm(text: str) -> str:
    return text.lower().replace("’", "'").replace("‘", "'")


def statement_views(span: Span, cues: Sequence[CueMatch], lemmas: Mapping[str, str]) -> dict[str, str]:
    """The four text views of one statement; ``cues`` are the cues inside the span."""
    words = [_norm(t.text) for t in span if not t.is_space]
    lemma_words = [lemmas.get(w, w) for w in words]
    cue_tokens = []
    for cue in cues:
        phrase = cue.phrase.replace(" ", "_")
        if cue.kind in ("need", "want", "expectation"):
            cue_tokens += [f"{cue.kind}:{cue.strength}", f"cue={phrase}"]
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
    return {
        "words": " ".join(words),
        "lemmas": " ".join(lemma_words),
        "chars": " ".join(words),
        "cues": " ".join(cue_tokens),
    }


def make_vectorizers() -> dict[str, tuple[HashingVectorizer, TfidfTransformer]]:
    """Unfitted (hasher, tf-idf) pairs, one per view: plain scikit-learn objects, safe to persist.

    Hashing keeps the model file small and quick to load (no vocabulary dictionaries).
    """
    def hashed(n_features: int, **kwargs: object) -> HashingVectorizer:
        return HashingVectorizer(n_features=n_features, alternate_sign=False, norm=None, lowercase=False,
                                 dtype=np.float32, **kwargs)

    return {
        "words": (hashed(2**17, token_pattern=r"\S+", ngram_range=(1, 2)), TfidfTransformer(sublinear_tf=True)),
        "lemmas": (hashed(2**17, token_pattern=r"\S+", ngram_range=(1, 3)), TfidfTransformer(sublinear_tf=True)),
        "chars": (hashed(2**18, analyzer="char_wb", ngram_range=(2, 5)), TfidfTransformer(sublinear_tf=True)),
        "cues": (hashed(2**12, token_pattern=r"\S+"), TfidfTransformer(use_idf=False, sublinear_tf=True)),
    }


Vectorizers = Mapping[str, tuple[HashingVectorizer, TfidfTransformer]]


def fit_transform(vectorizers: Vectorizers, views: Sequence[Mapping[str, str]]) -> sp.csr_matrix:
    """Fit every view's tf-idf weights and return the joined feature matrix."""
    blocks = []
    for name in VIEWS:
        hasher, tfidf = vectorizers[name]
        blocks.append(tfidf.fit_transform(hasher.transform([v[name] for v in views])))
    return sp.hstack(blocks, format="csr")


def transform(vectorizers: Vectorizers, views: Sequence[Mapping[str, str]]) -> sp.csr_matrix:
    """The joined feature matrix of ``views`` with fitted weights."""
    blocks = []
    for name in VIEWS:
        hasher, tfidf = vectorizers[name]
        blocks.append(tfidf.transform(hasher.transform([v[name] for v in views])))
    return sp.hstack(blocks, format="csr")
