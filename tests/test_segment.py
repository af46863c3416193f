"""Cutting text into statements (rule-based, so exact expectations are fair)."""
from __future__ import annotations

import pytest
import spacy

from needswants.segment import statement_spans


@pytest.fixture(scope="module")
def nlp():
    pipeline = spacy.blank("en")
    pipeline.add_pipe("sentencizer")
    return pipeline


@pytest.mark.parametrize(("text", "statements"), [
    ("My charger stopped working, so I need a new one by Friday, and I'd love it in white.",
     ["My charger stopped working", "I need a new one by Friday", "I'd love it in white."]),
    ("My order is late and I'd like a refund", ["My order is late", "I'd like a refund"]),
    ("I need bread and butter.", ["I need bread and butter."]),
    ("Hi,\nmy card\nis blocked!!  Please help.\n\nThanks\nAnna",
     ["Hi", "my card\nis blocked!!", "Please help.", "Thanks", "Anna"]),
    ("", []),
    ("   \n\n  ", []),
    ("👍", ["👍"]),
    ("Refund; now.", ["Refund; now."]),
    ("The app crashes; I can't open my notes anymore.", ["The app crashes", "I can't open my notes anymore."]),
])
def test_statements(nlp, text, statements):
    assert [s.text for s in statement_spans(nlp(text))] == statements
