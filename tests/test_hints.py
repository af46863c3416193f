"""Hints: guideline patterns found once per text and credited to the statement they start in."""
from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from needswants.hints import ANCHORS, HINTS, KEY_WORDS, START_HINTS, normalise, statement_hints

DATA = Path(__file__).resolve().parents[1] / "data"
START_OR_SHOUTING = {f"hint={name}" for name in START_HINTS} | {"hint=shouting"}


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


ORIGINAL = {name: re.compile(pattern) for name, pattern in HINTS.items()}  # with their leading \b
WORDS = ["i", "was", "told", "should", "have", "would", "be", "nice", "3", "weeks", "ago", "still", "not", "working",
         "please", "can", "you", "xxxx", "$", "5", "my", "refund", "i'm", "promised", "law", "!", "?", "x", "wish"]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(WORDS + ["a", "_", "é", "\n", "."]), max_size=20).map(" ".join),
       st.sampled_from(["", "ab", "é", "_", " "]))
def test_the_fast_patterns_find_what_the_patterns_with_their_word_boundaries_find(sentence, glue):
    # glue the sentence to a word before it, so that the word boundary the fast patterns check by hand matters
    text = glue + sentence
    (found,) = statement_hints(text, [(0, len(text))])
    lowered = normalise(text)
    expected = {f"hint={name}" for name, pattern in ORIGINAL.items() if pattern.search(lowered)}
    assert {t for t in found if t.startswith("hint=") and "&" not in t} - START_OR_SHOUTING == expected


def test_the_fast_patterns_agree_on_the_corpus():
    texts = [json.loads(line)["text"] for split in ("train", "dev") for line in (DATA / f"{split}.jsonl").open()]
    for text in texts:
        (found,) = statement_hints(text, [(0, len(text))])
        lowered = normalise(text)
        expected = {f"hint={name}" for name, pattern in ORIGINAL.items() if pattern.search(lowered)}
        assert {t for t in found if "&" not in t} - START_OR_SHOUTING == expected, text


def _holds_key_word_or_anchor(name: str, lowered: str, match: re.Match[str]) -> bool:
    """Whether the match holds one of its hint's key words as a whole word of the text, or one of its anchors."""
    whole_words = {w.group() for w in re.finditer(r"\w+", lowered) if match.start() <= w.start() and w.end() <= match.end()}
    return not whole_words.isdisjoint(KEY_WORDS.get(name, ())) or any(a in match.group() for a in ANCHORS.get(name, ()))


def test_every_hint_has_key_words_or_anchors():
    assert set(HINTS) == set(KEY_WORDS) | set(ANCHORS)


def test_every_match_holds_one_of_its_hints_key_words_or_anchors():
    texts = [json.loads(line)["text"] for split in ("train", "dev") for line in (DATA / f"{split}.jsonl").open()]
    matched = dict.fromkeys(HINTS, 0)
    for text in texts:
        lowered = normalise(text)
        for name, pattern in ORIGINAL.items():
            for match in pattern.finditer(lowered):
                matched[name] += 1
                assert _holds_key_word_or_anchor(name, lowered, match), (name, match.group())
    assert all(matched.values()), matched  # each hint occurs in the corpus, so the check ran


@settings(max_examples=300)
@given(st.lists(st.sampled_from(WORDS + ["a", "_", "é", "\n", ".", "'d", "'ll", "shouldn't", "can't", "u.s.c", "us.c",
                                         "three", "days", "3", "should've", "couldn't", "don't", "'m", "today"]),
                max_size=20).map(" ".join))
def test_random_matches_hold_one_of_their_hints_key_words_or_anchors(sentence):
    lowered = normalise(sentence)
    for name, pattern in ORIGINAL.items():
        for match in pattern.finditer(lowered):
            assert _holds_key_word_or_anchor(name, lowered, match), (name, match.group())


@settings(max_examples=300)
@given(st.text(alphabet="ABXYZabx _é1'", max_size=40))
def test_shouting_found_from_the_first_capitals_is_all_shouting(text):
    from needswants.hints import SHOUTING, _shouting_starts

    assert _shouting_starts(text) == [match.start() for match in SHOUTING.finditer(text)]


def _separately(lowered: str, start: int = 0) -> set[str]:
    """The start hints whose own patterns match ``lowered`` at ``start``."""
    return {name for name, pattern in START_HINTS.items() if re.compile(pattern).match(lowered, start)}


@settings(max_examples=300)
@given(st.lists(st.sampled_from(["hi", "hello", "good", "morning", "how", "can", "i", "is", "it", "possible", "there",
                                 "we", "my", "you", "the", "they", "best", "kind", "regards", "may", "x", "é", "'",
                                 "_", "?", ","]), max_size=6).map(" ".join))
def test_at_most_one_start_hint_opens_a_statement_and_the_joint_pattern_finds_it(text):
    from needswants.hints import _START_PATTERN

    found = _START_PATTERN.match(text)
    assert ({found.lastgroup} if found else set()) == _separately(text)


def test_the_joint_start_pattern_agrees_on_the_corpus():
    from needswants.hints import _START_PATTERN

    texts = [json.loads(line)["text"] for split in ("train", "dev") for line in (DATA / f"{split}.jsonl").open()]
    for lowered in map(normalise, texts):
        for start in [0, *(m.end() for m in re.finditer(r"[.,;!?] ", lowered))]:
            found = _START_PATTERN.match(lowered, start)
            assert ({found.lastgroup} if found else set()) == _separately(lowered, start), lowered[start:start + 30]
