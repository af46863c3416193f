"""Cutting text into statements (rule-based, so exact expectations are fair)."""
from __future__ import annotations

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from needswants.segment import SENTENCE_END_CHARS, TokenTable, statement_spans


@pytest.fixture(scope="module")
def nlp():
    pipeline = spacy.blank("en")
    pipeline.add_pipe("sentencizer")
    return pipeline


@pytest.fixture(scope="module")
def tokenizer_only():
    return spacy.blank("en")


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


# text made of words, spaces, line breaks and punctuation, sentence ends of other scripts included
_PIECES = st.sampled_from(["I", "can't", "log", "in", "Dr", "e.g", "...", ".", "?", "!", "!?", "。", "？", "‼",
                           ",", ";", ")", "(", '"', "'", "-", " ", "  ", "\n", "\n\n", "😀", "x", "Hi", "2.5"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_sentences_by_rule_are_the_sentencizers(nlp, tokenizer_only, text):
    # without a component that marks sentences, the table cuts them as spaCy's sentencizer does
    by_rule = TokenTable.of(tokenizer_only(text)).sentence_starts
    by_sentencizer = tuple(sentence.start for sentence in nlp(text).sents) if text else ()
    assert by_rule == by_sentencizer


def test_sentence_end_characters_are_the_sentencizers(nlp):
    assert SENTENCE_END_CHARS == nlp.get_pipe("sentencizer").punct_chars


def test_statements_without_a_sentencizer_match_those_with_one(nlp, tokenizer_only):
    text = "My order is late. Where is it?! I was told Monday...  Please help.\nThanks"
    by_rule = [s.text for s in statement_spans(tokenizer_only(text))]
    assert by_rule == [s.text for s in statement_spans(nlp(text))]
    assert len(by_rule) == 4  # "..." is no sentence end to the sentencizer (one token, not "." itself)
