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
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

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


def _word_facts(word: str) -> tuple[int, int]:
    """The hash and the shape class of a word."""
    return zlib.crc32(word.encode("utf-8", "surrogatepass")), _shape(word)


@dataclass
class _TokenRows:
    """Per-token facts of a batch of statements: one entry per token of every statement, in
    numpy arrays ready for hashing."""

    word: np.ndarray  # word hashes
    shape: np.ndarray
    position: np.ndarray  # the token's place in its statement, from 0
    length: np.ndarray  # the number of tokens of its statement
    label: np.ndarray
    kind: np.ndarray  # the kind of the last cue holding the token, or 0
    distance: np.ndarray
    bounds: list[int]  # statement s holds rows bounds[s]:bounds[s+1]
    tokens: list[list[int]]  # each statement's token indices in its table


@dataclass
class _CueRows:
    """The cues of a batch of statements as token rows: each cue holds rows [first, last), where
    ``last`` is the first token starting at or after the cue's end."""

    kinds: list[tuple[int, int, int]] = field(default_factory=list)  # (first, last, kind id), every cue
    label_spans: list[tuple[int, int]] = field(default_factory=list)  # (first, last), cues of the statement's label
    label_ends: list[int] = field(default_factory=list)  # the ``last`` of those that end before their statement does


def _neighbour(values: np.ndarray, offset: int, position: np.ndarray, length: np.ndarray, fill: int) -> np.ndarray:
    """For each token, ``values`` of the token ``offset`` places after it (before it, when
    negative) in the same statement, or ``fill`` when there is none."""
    out = np.full_like(values, fill)
    there = (position + offset >= 0) & (position + offset < length)
    out[there] = values[np.flatnonzero(there) + offset]
    return out


def _distances(cues: _CueRows, position: np.ndarray) -> np.ndarray:
    """For each token: tokens since the last cue of its statement's label ended (capped), or
    inside one, or no such cue yet."""
    rows = np.arange(len(position), dtype=np.int64)
    inside = np.zeros(len(position), dtype=bool)
    for first, last in cues.label_spans:
        inside[first:last] = True
    ended = np.full(len(position), -1, dtype=np.int64)
    ended[cues.label_ends] = cues.label_ends
    last_end = np.maximum.accumulate(ended)  # the last cue end at or before each token, in any statement
    since = np.where(last_end >= rows - position, np.minimum(rows - last_end, MAX_DISTANCE), NO_CUE)
    return np.where(inside, INSIDE_CUE, since)


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
        words: list[str] = []
        tokens_of: list[list[int]] = []
        bounds = [0]
        cues = _CueRows()
        for s in statements:
            table = s.table
            tokens = [i for i in range(s.start, s.end) if not table.is_space[i]]
            starts = [table.idx[i] for i in tokens]
            offset = bounds[-1]
            for cue in s.cues:
                first = offset + bisect.bisect_left(starts, cue.start)
                last = offset + bisect.bisect_left(starts, cue.end)
                cues.kinds.append((first, last, KIND_IDS.get(cue.kind, 5)))
                if cue.kind == s.label:
                    cues.label_spans.append((first, last))
                    if last < offset + len(tokens):
                        cues.label_ends.append(last)
            words += map(table.lower.__getitem__, tokens)
            tokens_of.append(tokens)
            bounds.append(offset + len(tokens))
        facts = [self._words[word] for word in words]
        sizes = np.diff(bounds)
        position = np.arange(len(words), dtype=np.int64) - np.repeat(bounds[:-1], sizes)
        kind = np.zeros(len(words), dtype=np.int64)
        for first, last, kind_id in cues.kinds:  # in order: a later cue's kind wins
            kind[first:last] = kind_id
        labels = np.array([LABEL_IDS[s.label] for s in statements], dtype=np.int64)
        return _TokenRows(
            word=np.fromiter((word_hash for word_hash, _ in facts), dtype=np.uint64, count=len(facts)),
            shape=np.fromiter((shape for _, shape in facts), dtype=np.int64, count=len(facts)),
            position=position, length=np.repeat(sizes, sizes), label=np.repeat(labels, sizes), kind=kind,
            distance=_distances(cues, position), bounds=bounds, tokens=tokens_of)

    def _columns(self, rows: _TokenRows) -> np.ndarray:
        """(templates, tokens): the hashed column of each feature template for each token."""
        mask, mix = np.uint64((1 << self.bits) - 1), np.uint64(_MIX)
        word = rows.word
        prev, nxt, prev2 = (_neighbour(word, offset, rows.position, rows.length, fill)
                            for offset, fill in ((-1, _START), (1, _END), (-2, _START)))
        # each token's place: its index (capped) and its tenth
        place = np.minimum(rows.position, 9) * 16 + (10 * rows.position) // rows.length
        distance, kind, label, shape, place = (values.astype(np.uint64) for values in (
            rows.distance, rows.kind, rows.label, rows.shape, place))
        eight = np.uint64(8)
        with np.errstate(over="ignore"):  # hashing wraps around on purpose
            values = [word, prev, nxt, prev2, (prev * mix) ^ word, distance, distance * eight + label, kind, label,
                      shape, place, (word * mix) ^ label, kind * eight + distance, np.zeros_like(word)]
            columns = [((v * mix) ^ np.uint64(template * 0x51ED27)) & mask for template, v in enumerate(values, 1)]
        return np.stack(columns).astype(np.int64)

    def _scores(self, columns: np.ndarray) -> np.ndarray:
        """(tokens, tags): the B/I/O scores of each token from its (templates, tokens) columns,
        the templates' weights added one after another (the order ``.sum(axis=1)`` adds them in)."""
        scores = self.weights_.take(columns[0], axis=0)
        for template_columns in columns[1:]:
            scores += self.weights_.take(template_columns, axis=0)
        return scores + self.bias_

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
        columns = self._columns(rows).T
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
        if not len(rows.word):
            return [None] * len(statements)
        scores = self._scores(self._columns(rows))
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

    @staticmethod
    def remove_from(folder: Path) -> None:
        """Delete a tagger's files from ``folder``, if it holds them: a model without a tagger saved
        over one with a tagger must not load the old tagger."""
        for name in (SETTINGS_FILE, ARRAYS_FILE):
            (Path(folder) / name).unlink(missing_ok=True)

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
