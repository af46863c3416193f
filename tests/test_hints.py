"""Hints: guideline patterns found once per text and credited to the statement they start in."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from needswants.hints import normalise, statement_hints


def test_each_hint_counts_for_the_statement_it_starts_in():
    text = "I was told it would come in three weeks. Why is it still not here?"
    first, second = statement_hints(text, [(0, 40), (41, len(text))])
    assert {"hint=told", "hint=span", "hint=would", "hint=first_person"} <= set(first)
    assert "hint=still" not in first
    assert {"hint=still", "hint=wh_question", "hint=still&q", "hint=wh_question&q"} <= set(second)
    assert "hint=told" not in second


def test_text_outside_every_statement_gives_no_hint():
    text = "Thanks!  I need help"
    (only,) = statement_hints(text, [(9, len(text))])
    assert "hint=thanks" not in only and "hint=need" in only


def test_shouting_is_found_in_the_original_case_but_redactions_are_not_shouting():
    assert "hint=shouting" in statement_hints("This is UNACCEPTABLE", [(0, 20)])[0]
    assert "hint=shouting" not in statement_hints("Account XXXX was closed", [(0, 23)])[0]


@given(st.text(max_size=60))
def test_normalising_keeps_the_length_so_offsets_hold(text):
    assert len(normalise(text)) == len(text)
    statement_hints(text, [(0, len(text))])  # never raises, whatever the text
