"""Cut a Doc into statements: sentences, then clauses that may carry different labels.

Sentences come from the pipeline (the ``sentencizer`` by default, a parser when one is
loaded); a line break always ends a statement. Inside a sentence, a clause starts at a
coordinating conjunction ("and", "but", "so") or a semicolon that opens a new subject
("My order is late and I'd like a refund"), or, when a dependency parse is present, at a
conjoined verb with a subject of its own. Offsets are character offsets into ``doc.text``.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from spacy.attrs import IS_PUNCT, IS_SPACE, LOWER, SENT_START
from spacy.tokens import Doc, Span, Token

CONJUNCTIONS = frozenset({"and", "but", "so", "yet", "plus", "also"})
SUBJECT_STARTS = frozenset({
    "i", "i'm", "im", "i've", "i'd", "we", "you", "they", "it", "it's", "he", "she", "this", "that",
    "there", "please", "can", "could", "would", "will", "my", "your", "the", "now", "still",
})
MIN_CLAUSE_TOKENS = 3


@dataclass(frozen=True)
class TokenTable:
    """Per-token facts of one Doc, read once (creating spaCy Token objects is the slow part)."""

    lower: list[str]
    is_space: list[bool]
    is_punct: list[bool]

    @classmethod
    def of(cls, doc: Doc) -> "TokenTable":
        strings = doc.vocab.strings
        flags = doc.to_array([LOWER, IS_SPACE, IS_PUNCT])
        lower = [strings[int(h)].replace("’", "'").replace("‘", "'") for h in flags[:, 0]] if len(doc) else []
        return cls(lower, flags[:, 1].astype(bool).tolist(), flags[:, 2].astype(bool).tolist())


SEPARATORS = frozenset({",", ";", "-", "—"})


def _trim(table: TokenTable, start: int, end: int) -> tuple[int, int] | None:
    """Token range without leading/trailing spaces, commas and joining words; None if empty."""
    while start < end and (table.is_space[start] or table.lower[start] in SEPARATORS):
        start += 1
    while end > start and (table.is_space[end - 1] or table.lower[end - 1] in SEPARATORS):
        end -= 1
    if not any(not (table.is_space[i] or table.is_punct[i]) for i in range(start, end)):
        return None
    return start, end


def _breaks_statement(doc: Doc, newline: Token) -> bool:
    """Whether a line break ends the statement: always at a blank line; at a single line
    break unless it only wraps a sentence (the next line goes on in lower case)."""
    if newline.text.count("\n") + newline.whitespace_.count("\n") > 1:
        return True
    before = doc[newline.i - 1] if newline.i > 0 else None
    after = doc[newline.i + 1] if newline.i + 1 < len(doc) else None
    if before is None or after is None:
        return True
    return before.is_punct or not after.text[:1].islower()


def _pieces(doc: Doc) -> Iterator[tuple[int, int]]:
    """Token ranges of sentences, also cut at line breaks that end a statement."""
    if not len(doc):
        return
    if doc.has_annotation("SENT_START"):
        flags = doc.to_array([SENT_START])
        bounds = [i for i in np.flatnonzero(flags == 1).tolist() if i > 0]
    else:
        bounds = []
    spaces = np.flatnonzero(doc.to_array([IS_SPACE])).tolist()
    breaks = [i for i in spaces if "\n" in doc[i].text and _breaks_statement(doc, doc[i])]
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


def _clause_starts(doc: Doc, table: TokenTable, start: int, end: int, parsed: bool) -> list[int]:
    """Token indices inside [start, end) where a new clause begins."""
    cuts = []
    lower = table.lower
    for i in range(start + MIN_CLAUSE_TOKENS, end - MIN_CLAUSE_TOKENS + 1):
        low = lower[i]
        if parsed:
            token = doc[i]
            if token.dep_ == "cc":
                # the conjoined verb is either the cc's head ("and" -> "like") or a later sibling
                if token.head.dep_ == "conj" and token.head.i > i:
                    conj = [token.head]
                else:
                    conj = [c for c in token.head.children if c.dep_ == "conj" and c.i > i]
                if conj and conj[0].pos_ in {"VERB", "AUX"} and _has_own_subject(conj[0]):
                    cuts.append(i)
            elif low == ";":
                cuts.append(i)
            continue
        nxt = lower[i + 1] if i + 1 < end else ""
        prev = lower[i - 1]
        if low == ";":
            cuts.append(i)
        elif low in CONJUNCTIONS and (prev == "," or nxt in SUBJECT_STARTS):
            cuts.append(i)
        elif prev == "," and low in SUBJECT_STARTS and low in {"i", "i'm", "im", "we", "please"}:
            cuts.append(i)
    # keep clauses long enough to stand alone
    kept, last = [], start
    for cut in cuts:
        if cut - last >= MIN_CLAUSE_TOKENS and end - cut >= MIN_CLAUSE_TOKENS:
            kept.append(cut)
            last = cut
    return kept


def statement_spans(doc: Doc, table: TokenTable | None = None) -> list[Span]:
    """The statements of ``doc`` in text order, as Spans without surrounding spaces."""
    table = table or TokenTable.of(doc)
    parsed = doc.has_annotation("DEP")
    spans = []
    for start, end in _pieces(doc):
        bounds = [start, *_clause_starts(doc, table, start, end, parsed), end]
        for left, right in zip(bounds, bounds[1:]):
            # a clause that starts at a conjunction leaves the conjunction out
            if left != start and table.lower[left] in CONJUNCTIONS | {";"}:
                left += 1
            trimmed = _trim(table, left, right)
            if trimmed:
                spans.append(doc[trimmed[0]:trimmed[1]])
    return spans
