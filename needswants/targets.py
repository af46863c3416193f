"""Where a statement's target is: a learned tagger of target tokens, decoded to one span.

The target is what is needed, wanted or expected ("I need **the invoice** by Friday"). Each
token of a labelled statement gets hashed features (its word, the words around it, how far it
is after the statement's label cue, the label, its shape and place) and three scores, for
Begin, Inside and Outside a target, from one linear layer. The target is the run of tokens
that one Begin then Insides score best against Outside, or none when no run scores above zero.

The tagger is fitted with scikit-learn on the gold targets of the training data and predicts
with numpy alone. It is stored as ``targets.json`` plus ``targets.npz`` (numeric arrays only,
read like the classifier's: loading it never runs code). A model without it falls back to the
rule in :func:`needswants.attributes.target_of`.
"""
from __future__ import annotations

import bisect
import functools
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np

from .cache import WordCache
from .cues import CueMatch
from .errors import ModelLoadError
from .model import read_trusted_arrays
from .segment import TokenTable

TAGS = ("B", "I", "O")
SETTINGS_FILE = "targets.json"
ARRAYS_FILE = "targets.npz"
TRUSTED_ARRAYS = {"weights": "f", "bias": "f"}
FORMAT_VERSION = 1
BITS = 18
MAX_DISTANCE = 6  # tokens after the cue that get a distance of their own
LABEL_IDS = {"expectation": 1, "want": 2, "need": 3, "none": 4}
KIND_IDS = {"need": 1, "want": 2, "expectation": 3, "negation": 4}  # other cue kinds: 5
INSIDE_CUE, NO_CUE = MAX_DISTANCE + 1, MAX_DISTANCE + 2
_START, _END = 0x1234567, 0x7654321  # word hashes standing for "before the first" and "after the last" token
_MIX = 0x9E3779B1
CharSpan = tuple[int, int]


@dataclass(frozen=True)
class TargetInput:
    """One labelled statement: tokens [start, end) of ``table``, the cues inside it, its label."""

    table: TokenTable
    start: int
    end: int
    cues: Sequence[CueMatch]
    label: str


def _shape(word: str) -> int:
    if word.isdigit():
        return 1
    if word.isalpha():
        return 2 if word.islower() else 3
    return 4 if any(c.isalnum() for c in word) else 5


@functools.lru_cache(maxsize=256)
def _places(n: int) -> tuple[int, ...]:
    """Each token's place in a statement of ``n`` tokens: its index (capped) and its tenth."""
    return tuple(min(i, 9) * 16 + (10 * i) // n for i in range(n))


def _word_facts(word: str) -> tuple[int, int]:
    """The hash and the shape class of a word."""
    return zlib.crc32(word.encode("utf-8", "surrogatepass")), _shape(word)


def _distances(token_starts: list[int], cue_spans: list[CharSpan]) -> list[int]:
    """For each token: tokens since the last label cue ended (capped), or inside one, or no cue yet."""
    if not cue_spans:
        return [NO_CUE] * len(token_starts)
    inside = [False] * len(token_starts)
    ends = []
    for start, end in cue_spans:
        first, last = bisect.bisect_left(token_starts, start), bisect.bisect_left(token_starts, end)
        for i in range(first, last):
            inside[i] = True
        ends.append(last)
    ends.sort()
    out = []
    for i in range(len(token_starts)):
        if inside[i]:
            out.append(INSIDE_CUE)
            continue
        passed = bisect.bisect_right(ends, i)  # cues that ended at or before token i
        out.append(min(i - ends[passed - 1], MAX_DISTANCE) if passed else NO_CUE)
    return out


@dataclass
class _TokenRows:
    """Per-token facts of a batch of statements, ready for hashing (one entry per token)."""

    word: list[int] = field(default_factory=list)
    prev: list[int] = field(default_factory=list)
    next: list[int] = field(default_factory=list)
    prev2: list[int] = field(default_factory=list)
    distance: list[int] = field(default_factory=list)
    kind: list[int] = field(default_factory=list)
    label: list[int] = field(default_factory=list)
    shape: list[int] = field(default_factory=list)
    place: list[int] = field(default_factory=list)
    bounds: list[int] = field(default_factory=lambda: [0])  # statement s holds rows bounds[s]:bounds[s+1]
    tokens: list[list[int]] = field(default_factory=list)  # each statement's token indices in its table


class TargetTagger:
    """B/I/O scores of each token from hashed features; fitted with scikit-learn, predicts with numpy.

    ``__init__`` only stores parameters; ``fit`` returns ``self``.
    """

    def __init__(self, C: float = 3.0, seed: int = 0, bits: int = BITS) -> None:
        self.C = C
        self.seed = seed
        self.bits = bits
        self._words = WordCache(_word_facts)  # word -> (CRC-32 hash, shape class)

    # -- features ---------------------------------------------------------------------------
    def _rows(self, statements: Sequence[TargetInput]) -> _TokenRows:
        rows = _TokenRows()
        for s in statements:
            table = s.table
            tokens = [i for i in range(s.start, s.end) if not table.is_space[i]]
            starts = [table.idx[i] for i in tokens]
            hashes, shapes = zip(*[self._words[table.lower[i]] for i in tokens]) if tokens else ((), ())
            hashes = list(hashes)
            kinds = [0] * len(tokens)
            for cue in s.cues:
                for i in range(bisect.bisect_left(starts, cue.start), bisect.bisect_left(starts, cue.end)):
                    kinds[i] = KIND_IDS.get(cue.kind, 5)
            n = len(tokens)
            rows.word += hashes
            rows.prev += [_START] + hashes[:-1]
            rows.next += hashes[1:] + [_END]
            rows.prev2 += [_START, _START][:n] + hashes[:-2]
            rows.distance += _distances(starts, [(c.start, c.end) for c in s.cues if c.kind == s.label])
            rows.kind += kinds
            rows.label += [LABEL_IDS[s.label]] * n
            rows.shape += shapes
            rows.place += _places(n)
            rows.bounds.append(rows.bounds[-1] + n)
            rows.tokens.append(tokens)
        return rows

    def _columns(self, rows: _TokenRows) -> np.ndarray:
        """(tokens, templates): the hashed column of each feature template for each token."""
        mask, mix = np.uint64((1 << self.bits) - 1), np.uint64(_MIX)
        word, prev, nxt, prev2, distance, kind, label, shape, place = (
            np.asarray(values, dtype=np.uint64) for values in (
                rows.word, rows.prev, rows.next, rows.prev2, rows.distance, rows.kind, rows.label, rows.shape,
                rows.place))
        eight = np.uint64(8)
        with np.errstate(over="ignore"):  # hashing wraps around on purpose
            values = [word, prev, nxt, prev2, (prev * mix) ^ word, distance, distance * eight + label, kind, label,
                      shape, place, (word * mix) ^ label, kind * eight + distance, np.zeros_like(word)]
            columns = [((v * mix) ^ np.uint64(template * 0x51ED27)) & mask for template, v in enumerate(values, 1)]
        return np.stack(columns, axis=1).astype(np.int64) if len(word) else np.zeros((0, len(values)), np.int64)

    # -- training -------------------------------------------------------------------------
    def fit(self, statements: Sequence[TargetInput], targets: Sequence[Optional[CharSpan]]) -> "TargetTagger":
        """Learn from statements (label other than none) and their gold target spans (char offsets)."""
        import scipy.sparse as sp
        from sklearn.linear_model import LogisticRegression

        rows = self._rows(statements)
        tags: list[int] = []
        for s, tokens, target in zip(statements, rows.tokens, targets):
            previous = 2
            for i in tokens:
                inside = target is not None and target[0] <= s.table.idx[i] and s.table.end_char(i + 1) <= target[1]
                previous = (1 if previous != 2 else 0) if inside else 2
                tags.append(previous)
        columns = self._columns(rows)
        n, k = columns.shape
        X = sp.csr_matrix((np.ones(n * k, dtype=np.float32), columns.ravel(), np.arange(0, n * k + 1, k)),
                          shape=(n, 1 << self.bits))
        X.sum_duplicates()
        y = np.array(tags)
        self.weights_ = np.zeros((1 << self.bits, len(TAGS)), dtype=np.float32)
        self.bias_ = np.zeros(len(TAGS), dtype=np.float32)
        if len(set(tags)) < 2:  # nothing to learn: every token Outside, no target ever
            self.bias_[TAGS.index("O")] = 1.0
            return self
        model = LogisticRegression(C=self.C, max_iter=300, tol=1e-3, random_state=self.seed).fit(X, y)
        coef, intercept = model.coef_, model.intercept_
        if coef.shape[0] == 1:  # two tags seen: scikit-learn keeps the second one's scores
            coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
        self.weights_[:, model.classes_] = coef.T
        self.bias_[model.classes_] = intercept
        return self

    # -- prediction -----------------------------------------------------------------------
    def predict(self, statements: Sequence[TargetInput]) -> list[Optional[CharSpan]]:
        """Each statement's target as character offsets into its table's text, or None."""
        rows = self._rows(statements)
        if not rows.word:
            return [None] * len(statements)
        scores = self.weights_[self._columns(rows)].sum(axis=1) + self.bias_
        begin = (scores[:, 0] - scores[:, 2]).tolist()
        inside = (scores[:, 1] - scores[:, 2]).tolist()
        out: list[Optional[CharSpan]] = []
        for s, tokens, a, b in zip(statements, rows.tokens, rows.bounds, rows.bounds[1:]):
            run = best_run(begin[a:b], inside[a:b])
            out.append(None if run is None else
                       (s.table.start_char(tokens[run[0]]), s.table.end_char(tokens[run[1] - 1] + 1)))
        return out

    # -- persistence ----------------------------------------------------------------------
    def to_disk(self, folder: Path) -> None:
        folder = Path(folder)
        settings = {"format_version": FORMAT_VERSION, "params": {"C": self.C, "seed": self.seed, "bits": self.bits}}
        (folder / SETTINGS_FILE).write_text(json.dumps(settings, indent=2), encoding="utf-8")
        np.savez_compressed(folder / ARRAYS_FILE, weights=self.weights_, bias=self.bias_)

    @classmethod
    def from_disk(cls, folder: Path) -> Optional["TargetTagger"]:
        """The tagger saved in ``folder``, or None when the model has none (an older model)."""
        folder = Path(folder)
        settings_path, arrays_path = folder / SETTINGS_FILE, folder / ARRAYS_FILE
        present = [path.is_file() for path in (settings_path, arrays_path)]
        if not any(present):
            return None
        if not all(present):
            raise ModelLoadError(f"{folder} holds only one of {SETTINGS_FILE} and {ARRAYS_FILE}; copy the whole "
                                 "model folder, or retrain the model.")
        try:
            settings = json.loads(settings_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ModelLoadError(f"{settings_path} is not valid JSON ({err}); retrain the model.") from err
        params = settings.get("params") if isinstance(settings, dict) else None
        if not isinstance(params, dict) or set(params) != {"C", "seed", "bits"} \
                or settings.get("format_version") != FORMAT_VERSION:
            raise ModelLoadError(f"{settings_path} is not a target tagger this needswants reads; retrain the model.")
        tagger = cls(**params)
        arrays = read_trusted_arrays(arrays_path, TRUSTED_ARRAYS)
        tagger.weights_, tagger.bias_ = arrays["weights"], arrays["bias"]
        if tagger.weights_.shape != (1 << tagger.bits, len(TAGS)) or tagger.bias_.shape != (len(TAGS),):
            raise ModelLoadError(f"{folder / ARRAYS_FILE} has arrays of the wrong shape; retrain the model.")
        return tagger


def best_run(begin: Sequence[float], inside: Sequence[float]) -> Optional[tuple[int, int]]:
    """Tokens [first, last) maximising ``begin[first] + sum(inside[first + 1:last])``, or None
    when no run scores above zero (no target)."""
    best, best_run_ = 0.0, None
    score, first = float("-inf"), 0
    for i, (b, s) in enumerate(zip(begin, inside)):
        if b >= score + s:  # starting afresh at i beats extending the current run
            score, first = b, i
        else:
            score += s
        if score > best:
            best, best_run_ = score, (first, i + 1)
    return best_run_
