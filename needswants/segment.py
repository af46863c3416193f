"""Cut a Doc into statements: sentences, then clauses that may carry different labels.

Sentences come from the pipeline (the ``sentencizer`` by default, a parser when one is
loaded); a line break always ends a statement. Inside a sentence, a clause starts at a
coordinating conjunction ("and", "but", "so") or a semicolon that opens a new subject
("My order is late and I'd like a refund"), or, when a dependency parse is present, at a
conjoined verb with a subject of its own. Offsets are character offsets into ``doc.text``.
"""
from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Span, Token

CONJUNCTIONS = frozenset({"and", "but", "so", "yet", "plus", "also"})
SUBJECT_STARTS = frozenset({
    "i", "i'm", "im", "i've", "i'd", "we", "you", "they", "it", "it's", "he", "she", "this", "that",
    "there", "please", "can", "could", "would", "will", "my", "your", "the", "now", "still",
})
MIN_CLAUSE_TOKENS = 3


def _is_content(token: Token) -> bool:
    return not (token.is_space or token.is_punct)


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """Token range without leading/trailing spaces, commas and joining words; None if empty."""
    while start < end and (doc[start].is_space or doc[start].text in {",", ";", "-", "—"}):
        start += 1
    while end > start and (doc[end - 1].is_space or doc[end - 1].text in {",", ";", "-", "—"}):
        end -= 1
    if not any(_is_content(t) for t in doc[start:end]):
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
    sents = doc.sents if doc.has_annotation("SENT_START") else [doc[:]]
    for sent in sents:
        start = sent.start
        for token in sent:
            if token.is_space and "\n" in token.text and _breaks_statement(doc, token):
                if token.i > start:
                    yield start, token.i
                start = token.i + 1
        if start < sent.end:
            yield start, sent.end


def _has_own_subject(token: Token) -> bool:
    return any(child.dep_ in {"nsubj", "nsubjpass", "expl"} for child in token.children)


def _clause_starts(doc: Doc, start: int, end: int) -> list[int]:
    """Token indices inside [start, end) where a new clause begins."""
    cuts = []
    parsed = doc.has_annotation("DEP")
    for i in range(start + MIN_CLAUSE_TOKENS, end - MIN_CLAUSE_TOKENS + 1):
        token = doc[i]
        low = token.lower_
        if parsed:
            if token.dep_ == "cc" and token.head.i < i:
                conj = [c for c in token.head.children if c.dep_ == "conj" and c.i > i]
                if conj and conj[0].pos_ in {"VERB", "AUX"} and _has_own_subject(conj[0]):
                    cuts.append(i)
            elif low == ";":
                cuts.append(i)
            continue
        nxt = doc[i + 1].lower_ if i + 1 < end else ""
        prev = doc[i - 1].text
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


def statement_spans(doc: Doc) -> list[Span]:
    """The statements of ``doc`` in text order, as Spans without surrounding spaces."""
    spans = []
    for start, end in _pieces(doc):
        bounds = [start, *_clause_starts(doc, start, end), end]
        for left, right in zip(bounds, bounds[1:]):
            # a clause that starts at a conjunction leaves the conjunction out
            if left != start and doc[left].lower_ in CONJUNCTIONS | {";"}:
                left += 1
            trimmed = _trim(doc, left, right)
            if trimmed:
                spans.append(doc[trimmed[0]:trimmed[1]])
    return spans
