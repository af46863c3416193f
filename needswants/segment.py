"""Cut a Doc into statements: sentences, then clauses that may carry different labels.

Sentences come from the pipeline when it marks them (a parser, say); otherwise from spaCy's
``sentencizer`` rule, applied here to the token table (the same cuts, without a pipeline component
of its own, which took a third of the time of tokenizing). A line break always ends a statement. Inside a sentence, a clause starts at a
coordinating conjunction ("and", "but", "so") or a semicolon that opens a new subject
("My order is late and I'd like a refund"), or, when a dependency parse is present, at a
conjoined verb with a subject of its own. Offsets are character offsets into ``doc.text``.
"""
from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from spacy.attrs import IDX, ORTH, SENT_START, SPACY
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

CONJUNCTIONS = frozenset({"and", "but", "so", "yet", "plus", "also"})
SUBJECT_STARTS = frozenset({
    "i", "i'm", "im", "i've", "i'd", "we", "you", "they", "it", "it's", "he", "she", "this", "that",
    "there", "please", "can", "could", "would", "will", "my", "your", "the", "now", "still",
})
MIN_CLAUSE_TOKENS = 3


#: the characters that end a sentence, as spaCy's ``sentencizer`` has them by default
SENTENCE_END_CHARS = frozenset(Sentencizer.default_punct_chars)


LEXEME_CACHE_SIZE = 100_000
SPACE_AFTER = ("", " ")  # a token's trailing white space, by its SPACY flag


class LexemeCache(dict):
    """ORTH hash -> (text, normalised lower case, is_space, is_punct, whether it is one of
    :data:`SENTENCE_END_CHARS`) of the lexemes of one vocab, read from spaCy on first use (reading
    them through ``to_array`` and the string store for every token is slower); emptied when it
    grows too big, and pickled empty."""

    def __init__(self, vocab: Vocab) -> None:
        super().__init__()
        self.vocab = vocab

    def __missing__(self, orth: int) -> tuple[str, str, bool, bool, bool]:
        if len(self) >= LEXEME_CACHE_SIZE:
            self.clear()
        lexeme = self.vocab[orth]
        lower = lexeme.lower_.replace("’", "'").replace("‘", "'")
        text = lexeme.orth_
        facts = self[orth] = (text, lower, lexeme.is_space, lexeme.is_punct, text in SENTENCE_END_CHARS)
        return facts

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.vocab,)


def _joined(words: tuple[str, ...], trailing: list[int]) -> str:
    """The text of tokens ``words``, each followed by a space when its ``trailing`` flag is set:
    words and spaces laid out alternately in one list and joined once (quicker than adding each
    word to its space)."""
    parts = [""] * (2 * len(words))
    parts[::2] = words
    parts[1::2] = [SPACE_AFTER[flag] for flag in trailing]
    return "".join(parts)


def rule_sentence_starts(is_punct: tuple[bool, ...], ends: tuple[bool, ...]) -> tuple[int, ...]:
    """The tokens that begin a sentence by spaCy's ``sentencizer`` rule (default punctuation), from
    each token's is_punct and whether it is a sentence-ending character (``ends``, see
    :data:`SENTENCE_END_CHARS`): the first token, and the first token after such a character that
    is neither punctuation nor such a character. Only the tokens after each sentence end are looked
    at, not every token."""
    if not ends:
        return ()
    starts = [0]
    n = len(ends)
    i = 0  # where the search for the next sentence end begins
    for end in itertools.compress(range(n), ends):
        if end < i:  # inside the run of punctuation that closed the last sentence
            continue
        i = end + 1
        while i < n and (is_punct[i] or ends[i]):
            i += 1
        if i < n:
            starts.append(i)
    return tuple(starts)


@dataclass(frozen=True, slots=True)
class TokenTable:
    """Per-token facts of one Doc, read once with ``Doc.to_array`` (creating spaCy Token
    objects is the slow part). Tuples are indexed by token (tuples, not lists: the garbage
    collector soon stops tracking them); offsets are into :attr:`text`."""

    words: tuple[str, ...]  # each token's own text
    lower: tuple[str, ...]  # lower case, curly apostrophes made straight
    is_space: tuple[bool, ...]
    is_punct: tuple[bool, ...]
    idx: tuple[int, ...]  # character offset where each token starts
    sentence_starts: tuple[int, ...]  # tokens that begin a sentence (the Doc's, or by :func:`rule_sentence_starts`)
    text: str  # the Doc's text (``doc.text`` itself would create a Token per token)

    @classmethod
    def of(cls, doc: Doc, lexemes: LexemeCache | None = None) -> "TokenTable":
        """The table of ``doc``; pass a :class:`LexemeCache` of its vocab to reuse across Docs.
        Its sentences are the Doc's when a pipeline component marked them, else by rule."""
        if not len(doc):
            return cls((), (), (), (), (), (), "")
        lexemes = LexemeCache(doc.vocab) if lexemes is None else lexemes
        array = doc.to_array([ORTH, IDX, SPACY, SENT_START])
        orths, idx, trailing = array[:, :3].T.tolist()
        words, lower, is_space, is_punct, ends = zip(*map(lexemes.__getitem__, orths))
        # marked: what doc.has_annotation("SENT_START") tells, read off the array
        marked = len(doc) == 1 or "sents" in doc.user_hooks or bool(array[1:, 3].any())
        sentence_starts = ((0, *(np.flatnonzero(array[1:, 3] == 1) + 1).tolist()) if marked  # the first always
                           else rule_sentence_starts(is_punct, ends))
        return cls(words, lower, is_space, is_punct, tuple(idx), sentence_starts, _joined(words, trailing))

    def start_char(self, start: int) -> int:
        """Character offset where token ``start`` begins."""
        return self.idx[start]

    def end_char(self, end: int) -> int:
        """Character offset just after token ``end - 1`` (the end of a token range)."""
        return self.idx[end - 1] + len(self.words[end - 1])

    def token_at(self, char: int) -> int:
        """Index of the token holding character offset ``char``."""
        return bisect.bisect_right(self.idx, char) - 1


SEPARATORS = frozenset({",", ";", "-", "—"})


def _trim(table: TokenTable, start: int, end: int) -> tuple[int, int] | None:
    """Token range without leading/trailing spaces, commas and joining words; None if empty."""
    while start < end and (table.is_space[start] or table.lower[start] in SEPARATORS):
        start += 1
    while end > start and (table.is_space[end - 1] or table.lower[end - 1] in SEPARATORS):
        end -= 1
    for i in range(start, end):  # keep it if it holds a word (the first token, mostly)
        if not (table.is_space[i] or table.is_punct[i]):
            return start, end
    return None


def _breaks_statement(table: TokenTable, newline: int) -> bool:
    """Whether the line break token ``newline`` ends the statement: always at a blank line; at a
    single line break unless it only wraps a sentence (the next line goes on in lower case)."""
    if table.words[newline].count("\n") > 1:
        return True
    if newline == 0 or newline + 1 >= len(table.words):
        return True
    return table.is_punct[newline - 1] or not table.words[newline + 1][:1].islower()


def _pieces(doc: Doc, table: TokenTable) -> Iterator[tuple[int, int]]:
    """Token ranges of sentences, also cut at line breaks that end a statement."""
    if not len(doc):
        return
    bounds = [i for i in table.sentence_starts if i > 0]
    spaces = itertools.compress(range(len(table.words)), table.is_space)
    breaks = [i for i in spaces if "\n" in table.words[i] and _breaks_statement(table, i)]
    # a line break token ends the piece before it and is itself skipped
    cuts = sorted(set(bounds) | set(breaks) | {b + 1 for b in breaks})
    start = 0
    for cut in [*cuts, len(doc)]:
        if cut > start and not (cut - start == 1 and start in breaks):
            end = cut
            yield start, end
        start = cut


def _has_own_subject(token: Token) -> bool:
    return any(child.dep_ in {"nsubj", "nsubjpass", "expl"} for child in token.children)


def _parsed_clause_starts(doc: Doc, table: TokenTable, start: int, end: int) -> list[int]:
    """Token indices inside [start, end) where a clause may begin, from the dependency parse."""
    cuts = []
    for i in range(start + MIN_CLAUSE_TOKENS, end - MIN_CLAUSE_TOKENS + 1):
        token = doc[i]
        if token.dep_ == "cc":
            # the conjoined verb is either the cc's head ("and" -> "like") or a later sibling
            if token.head.dep_ == "conj" and token.head.i > i:
                conj = [token.head]
            else:
                conj = [c for c in token.head.children if c.dep_ == "conj" and c.i > i]
            if conj and conj[0].pos_ in {"VERB", "AUX"} and _has_own_subject(conj[0]):
                cuts.append(i)
        elif table.lower[i] == ";":
            cuts.append(i)
    return cuts


COMMA_CLAUSE_STARTS = frozenset({"i", "i'm", "im", "we", "please"})  # open a clause right after a comma
#: the only words at which :func:`_rule_clause_starts` may cut
CLAUSE_CANDIDATES = CONJUNCTIONS | COMMA_CLAUSE_STARTS | {";"}


def clause_candidates(table: TokenTable) -> list[int]:
    """The tokens of the whole table that may open a clause by rule (see :data:`CLAUSE_CANDIDATES`),
    found in one pass without a Python step per token."""
    return list(itertools.compress(range(len(table.lower)), map(CLAUSE_CANDIDATES.__contains__, table.lower)))


def _rule_clause_starts(table: TokenTable, start: int, end: int, candidates: list[int]) -> list[int]:
    """Token indices inside [start, end) where a clause may begin, by rule: a semicolon, a
    conjunction after a comma or before a subject, or "I"/"we"/"please" after a comma.
    ``candidates`` are :func:`clause_candidates` of the table: only those tokens are looked at."""
    cuts = []
    lower = table.lower
    first = bisect.bisect_left(candidates, start + MIN_CLAUSE_TOKENS)
    last = bisect.bisect_right(candidates, end - MIN_CLAUSE_TOKENS)
    for i in candidates[first:last]:
        low = lower[i]
        nxt = lower[i + 1] if i + 1 < end else ""
        prev = lower[i - 1]
        if low == ";":
            cuts.append(i)
        elif low in CONJUNCTIONS and (prev == "," or nxt in SUBJECT_STARTS):
            cuts.append(i)
        elif prev == "," and low in COMMA_CLAUSE_STARTS:
            cuts.append(i)
    return cuts


def _standing_alone(cuts: list[int], start: int, end: int) -> list[int]:
    """The cuts that leave clauses long enough to stand alone (:data:`MIN_CLAUSE_TOKENS`)."""
    kept, last = [], start
    for cut in cuts:
        if cut - last >= MIN_CLAUSE_TOKENS and end - cut >= MIN_CLAUSE_TOKENS:
            kept.append(cut)
            last = cut
    return kept


CLAUSE_OPENERS = CONJUNCTIONS | {";"}


def statement_ranges(doc: Doc, table: TokenTable) -> list[tuple[int, int]]:
    """The statements of ``doc`` in text order, as token ranges without surrounding spaces."""
    parsed = doc.has_annotation("DEP")
    candidates = [] if parsed else clause_candidates(table)  # only the rules use them
    ranges = []
    for start, end in _pieces(doc, table):
        cuts = (_parsed_clause_starts(doc, table, start, end) if parsed
                else _rule_clause_starts(table, start, end, candidates))
        bounds = [start, *_standing_alone(cuts, start, end), end]
        for left, right in zip(bounds, bounds[1:]):
            # a clause that starts at a conjunction leaves the conjunction out
            if left != start and table.lower[left] in CLAUSE_OPENERS:
                left += 1
            trimmed = _trim(table, left, right)
            if trimmed:
                ranges.append(trimmed)
    return ranges


def statement_spans(doc: Doc, table: TokenTable | None = None) -> list[Span]:
    """The statements of ``doc`` in text order, as Spans without surrounding spaces."""
    return [Span(doc, start, end) for start, end in statement_ranges(doc, table or TokenTable.of(doc))]
