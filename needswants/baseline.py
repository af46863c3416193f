"""A keyword baseline: the first explicit marker's label, else the first implicit one, else none.

It uses the same cue lists as the library, without any learning; the README and model card
show it beside the trained model so the model's gain is visible.
"""
from __future__ import annotations

from collections.abc import Sequence

from .cues import CueMatcher
from .pipeline import blank_pipeline

LABEL_ORDER = ("need", "want", "expectation")


class KeywordBaseline:
    def __init__(self) -> None:
        self.nlp = blank_pipeline()
        self.matcher = CueMatcher(self.nlp)

    def classify(self, statements: Sequence[str]) -> list[str]:
        labels = []
        for doc in self.nlp.pipe(statements):
            cues = [c for c in self.matcher(doc) if c.kind in LABEL_ORDER]
            explicit = [c for c in cues if c.strength == "explicit"]
            chosen = (explicit or cues)[:1]
            labels.append(chosen[0].kind if chosen else "none")
        return labels
