"""A statement's attributes once its label is known: cue, explicit, negated and target.

All come from the cues found in the statement (see ``cues.py``) and the tokens after the cue.
The level of an expectation comes from the classifier (``model.py``), not from here.
"""
from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

from .cues import CueMatch
from .segment import TokenTable

# a target stops at these words: a new clause or a reason begins
TARGET_STOPS = frozenset({
    "because", "since", "but", "so", "when", "if", "though", "although", "as", "which", "until",
    "while", "cause", "cuz", "bc", "otherwise", "thanks", "thank", "please",
})
TARGET_SKIP_START = frozenset({"to", "that", "for", "is", "are", "be", "it", "if"})
MAX_TARGET_TOKENS = 12
TARGET_PUNCT = frozenset({"'", "-", "$", "%", "/", "&", "#"})  # punctuation a target may hold
TARGET_DROP_END = frozenset({"and", "or", "the", "a", "to"})  # words a target does not end with
#: ``describe(..., target=BY_RULE)``: no learned target; take the words after the cue
BY_RULE = object()
NEGATION_WINDOW = 4  # tokens before the cue where a negation counts
# implicit cues that are followed by what is needed or wanted ("how do I <reset my password>");
# other implicit cues ("weeks", "broken") are not followed by a target
TARGET_TAKING_CUES = frozenset({
    "how do i", "how can i", "how to", "can i get", "can i have", "could i get", "do you have", "do you offer",
    "do you sell", "do you do", "is it possible to get", "is there an option", "please bring back", "bring back",
    "support for", "switch to", "change my", "help me", "fix", "fix this", "reset", "explain", "upgrade",
    "cancel", "allow", "let me", "let us", "suggest", "request",
})


def _span_dict(text: str, start: int, end: int) -> dict[str, Any]:
    return {"text": text[start:end], "start": start, "end": end}


def main_cue(label: str, cues: Sequence[CueMatch]) -> CueMatch | None:
    """The first explicit cue of ``label``, else its first implicit cue, else None."""
    if label == "none":
        return None
    for strength in ("explicit", "implicit"):
        for cue in cues:
            if cue.kind == label and cue.strength == strength:
                return cue
    return None


def is_negated(table: TokenTable, start: int, cue: CueMatch | None, cues: Sequence[CueMatch]) -> bool:
    """A negation just before the main cue, or anywhere when there is no cue; the statement's
    tokens begin at ``start``."""
    negations = [c for c in cues if c.kind == "negation"]
    if not negations:
        return False
    if cue is None:
        return True
    window_start = table.start_char(max(start, table.token_at(cue.start) - NEGATION_WINDOW))
    return any(window_start <= n.start < cue.end for n in negations)


def _ends_target(table: TokenTable, i: int) -> bool:
    """Whether token ``i`` ends a target: a stop word, most punctuation, or a line break."""
    if table.lower[i] in TARGET_STOPS:
        return True
    if table.is_punct[i] and table.words[i] not in TARGET_PUNCT:
        return True
    return table.is_space[i] and "\n" in table.words[i]


def target_of(table: TokenTable, start: int, end: int, cue: CueMatch | None) -> dict[str, Any] | None:
    """What is needed, wanted or expected in the statement of tokens [start, end): the words
    after the cue up to the next clause."""
    if cue is None or (cue.strength == "implicit" and cue.phrase not in TARGET_TAKING_CUES):
        return None
    first = bisect.bisect_left(table.idx, cue.end, start, end)  # the first token after the cue
    while first < end and (table.lower[first] in TARGET_SKIP_START or table.is_punct[first]
                           or table.is_space[first]):
        first += 1
    last = first  # the target is tokens [first, last)
    while last < end and last - first < MAX_TARGET_TOKENS and not _ends_target(table, last):
        last += 1
    while last > first and (table.is_space[last - 1] or table.lower[last - 1] in TARGET_DROP_END):
        last -= 1
    if last == first:
        return None
    return _span_dict(table.text, table.start_char(first), table.end_char(last))


def describe(table: TokenTable, start: int, end: int, label: str, cues: Sequence[CueMatch],
             target: tuple[int, int] | None | object = BY_RULE) -> dict[str, Any]:
    """``cue``, ``explicit``, ``negated`` and ``target`` of the statement of tokens [start, end)
    given its label; offsets are into ``table.text``. ``target`` is the span a learned tagger
    found (character offsets, or None), or :data:`BY_RULE` to take the words after the cue."""
    cue = main_cue(label, cues)
    return {
        "explicit": bool(cue is not None and cue.strength == "explicit"),
        "negated": is_negated(table, start, cue, cues) if label != "none" else False,
        "target": target_of(table, start, end, cue) if target is BY_RULE else (
            None if target is None or label == "none" else _span_dict(table.text, *target)),  # type: ignore[misc]
        "cue": _span_dict(table.text, cue.start, cue.end) if cue else None,
    }
