"""Properties that hold for any text (hypothesis)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from needswants import LABELS

# any text, lone surrogates and NUL included, plus text built from ticket-like pieces
ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300)
TICKET_PIECES = st.lists(
    st.sampled_from([
        "I need a refund", "I'd love a dark mode", "It should have arrived by now", "Thanks!", "\n", "\n\n",
        " and ", ", but ", "?", "!", "... ", "😡", "日本語のテキスト", "\x00", "\ud800", "  ", "I was told ",
        "Sent from my iPhone", "> quoted", "café", "ß", "I don't want store credit.",
    ]),
    max_size=25,
).map("".join)
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY_SETTINGS
@given(text=st.one_of(ANY_TEXT, TICKET_PIECES))
def test_offsets_slice_the_text_and_scores_sum_to_one(nw, text):
    result = nw(text)
    assert result.text == text
    previous_end = 0
    for s in result.statements:
        assert 0 <= previous_end <= s.start < s.end <= len(text)
        assert text[s.start:s.end] == s.text
        assert s.label in LABELS
        assert sum(s.scores.values()) == pytest.approx(1.0)
        previous_end = s.end


@PROPERTY_SETTINGS
@given(texts=st.lists(st.one_of(ANY_TEXT, TICKET_PIECES), max_size=6), batch_size=st.integers(1, 4))
def test_batching_changes_nothing(nw, texts, batch_size):
    assert list(nw.pipe(texts, batch_size=batch_size)) == [nw(t) for t in texts]


@PROPERTY_SETTINGS
@given(text=TICKET_PIECES)
def test_json_round_trips(nw, text):
    import json

    from needswants import Result

    result = nw(text)
    assert Result.from_dict(json.loads(result.to_json())) == result
