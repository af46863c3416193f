"""A statement's attributes once its label is known: cue, explicit, negated and target.

All come from the cues found in the statement (see ``cues.py``) and the tokens after the cue.
The level of an expectation comes from the classifier (``model.py``), not from here.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spacy.tokens import Span

from .cues import CueMatch

# a target stops at these words: a new clause or a reason begins
TARGET_STOPS = frozenset({
    "because", "since", "but", "so", "when", "if", "though", "although", "as", "which", "until",
    "while", "cause", "cuz", "bc", "otherwise", "thanks", "thank", "please",
})
TARGET_SKIP_START = frozenset({"to", "that", "for", "is", "are", "be", "it", "if"})
MAX_TARGET_TOKENS = 12
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


def is_negated(span: Span, cue: CueMatch | None, cues: Sequence[CueMatch]) -> bool:
    """A negation just before the main cue, or anywhere when there is no cue."""
    negations = [c for c in cues if c.kind == "negation"]
    if not negations:
        return False
    if cue is None:
        return True
    doc = span.doc
    cue_token = doc.char_span(cue.start, cue.end, alignment_mode="expand")
    if cue_token is None:
        return False
    window_start = doc[max(span.start, cue_token.start - NEGATION_WINDOW)].idx
    return any(window_start <= n.start < cue.end for n in negations)


def target_of(span: Span, cue: CueMatch | None, text: str) -> dict[str, Any] | None:
    """What is needed, wanted or expected: the words after the cue up to the next clause."""
    if cue is None or (cue.strength == "implicit" and cue.phrase not in TARGET_TAKING_CUES):
        return None
    tokens = [t for t in span if t.idx >= cue.end]
    while tokens and (tokens[0].lower_ in TARGET_SKIP_START or tokens[0].is_punct or tokens[0].is_space):
        tokens = tokens[1:]
    picked = []
    for token in tokens:
        if token.lower_ in TARGET_STOPS or (token.is_punct and token.text not in {"'", "-", "$", "%", "/", "&", "#"}):
            break
        if token.is_space and "\n" in token.text:
            break
        picked.append(token)
        if len(picked) >= MAX_TARGET_TOKENS:
            break
    while picked and (picked[-1].is_space or picked[-1].lower_ in {"and", "or", "the", "a", "to"}):
        picked.pop()
    if not picked:
        return None
    return _span_dict(text, picked[0].idx, picked[-1].idx + len(picked[-1].text))


def describe(span: Span, label: str, cues: Sequence[CueMatch], text: str) -> dict[str, Any]:
    """``cue``, ``explicit``, ``negated`` and ``target`` of a statement given its label;
    ``text`` is the Doc's text (``doc.text`` is rebuilt from the tokens on every access)."""
    cue = main_cue(label, cues)
    return {
        "explicit": bool(cue is not None and cue.strength == "explicit"),
        "negated": is_negated(span, cue, cues) if label != "none" else False,
        "target": target_of(span, cue, text),
        "cue": _span_dict(text, cue.start, cue.end) if cue else None,
    }
