"""The public API: load, call, pipe, classify, predict_proba, results and their schema."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest

import needswants
from needswants import LABELS, RESULT_SCHEMA

TICKETS = [
    "My charger stopped working, so I need a new one by Friday, and I'd love it in white.",
    "I was told it would arrive Monday. It's been three weeks! Please send a replacement rather than a refund.",
    "Hi there,\nThanks for the quick reply!\n\nOrder #12345, placed 3 May.",
    "How do I reset my password? I can't log in since the update.",
    "",
]


def test_labels_are_the_four_in_order(nw):
    assert nw.labels == ("expectation", "want", "need", "none") == LABELS


def test_statements_slice_the_text_and_come_in_order(nw):
    for text in TICKETS:
        result = nw(text)
        assert result.text == text
        starts = [s.start for s in result.statements]
        assert starts == sorted(starts)
        for s in result.statements:
            assert text[s.start:s.end] == s.text
            assert s.text == s.text.strip() and s.text


def test_clauses_with_different_jobs_become_separate_statements(nw):
    result = nw("My order is late and I'd like a refund")
    assert [s.text for s in result.statements] == ["My order is late", "I'd like a refund"]


def test_scores_are_probabilities_and_confidence_is_the_labels_score(nw):
    for text in TICKETS:
        for s in nw(text).statements:
            assert set(s.scores) == set(LABELS)
            assert sum(s.scores.values()) == pytest.approx(1.0, abs=1e-9)
            assert all(0.0 <= p <= 1.0 for p in s.scores.values())
            assert s.label == max(s.scores, key=s.scores.get)
            assert s.confidence == s.scores[s.label]


def test_attributes_are_consistent_with_the_label(nw):
    for text in TICKETS:
        for s in nw(text).statements:
            assert (s.level is not None) == (s.label == "expectation")
            assert s.level in (None, "desired", "adequate", "predicted")
            if s.label == "none":
                assert s.target is None and s.cue is None and not s.explicit
            for span in (s.target, s.cue):
                if span is not None:
                    assert text[span["start"]:span["end"]] == span["text"]
                    assert s.start <= span["start"] <= span["end"] <= s.end


def test_result_json_matches_the_documented_schema(nw):
    for text in TICKETS:
        result = nw(text)
        data = json.loads(result.to_json())
        jsonschema.validate(data, RESULT_SCHEMA)
        assert data == result.to_dict()
        assert needswants.Result.from_dict(data) == result


def test_schema_rejects_a_statement_with_an_unknown_label(nw):
    data = nw(TICKETS[0]).to_dict()
    data["statements"][0]["label"] = "wish"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, RESULT_SCHEMA)


def test_pipe_equals_calling_one_by_one(nw):
    assert list(nw.pipe(TICKETS, batch_size=2)) == [nw(t) for t in TICKETS]


@pytest.mark.slow
def test_two_processes_give_the_same_results_as_one(nw):
    texts = TICKETS * 6
    assert list(nw.pipe(texts, batch_size=4, n_process=2)) == list(nw.pipe(texts, n_process=1))


def test_classify_takes_each_string_as_one_statement_and_agrees_with_predict_proba(nw):
    statements = ["I was promised a call back.", "Dark mode please!", "My card is blocked. Help!", "Thanks."]
    proba = nw.predict_proba(statements)
    assert proba.shape == (4, 4)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert nw.classify(statements) == [LABELS[i] for i in proba.argmax(axis=1)]


def test_classify_of_nothing_is_empty(nw):
    assert nw.classify([]) == []
    assert nw.predict_proba([]).shape == (0, 4)


@pytest.mark.parametrize("bad", [None, 42, b"bytes", ["a list"]])
def test_non_text_raises_type_error_naming_the_type(nw, bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        nw(bad)
    with pytest.raises(TypeError, match=type(bad).__name__):
        list(nw.pipe(["fine", bad]))
    with pytest.raises(TypeError, match=type(bad).__name__):
        nw.classify([bad])


def test_a_megabyte_of_text_is_labelled_whole(nw):
    paragraph = "My parcel is late again. I need it by Friday! Thanks, Ann\n"
    text = paragraph * (1_000_000 // len(paragraph) + 1)
    result = nw(text)
    assert len(text) > 1_000_000
    assert len(result.statements) == 3 * text.count(paragraph)
    assert result.statements[-1].end == len(text) - 1
    assert all(text[s.start:s.end] == s.text for s in result.statements)


def test_shipped_model_beats_the_keyword_baseline_on_the_test_split(nw):
    """A quality floor on data the model never trained on (the card records the exact figures)."""
    from needswants.baseline import KeywordBaseline
    from needswants.data import read_examples
    from needswants.evaluation import scores

    test = read_examples(Path(__file__).resolve().parents[1] / "data" / "test.jsonl")
    report = needswants.evaluate(nw, test)
    baseline = scores([e.label for e in test], KeywordBaseline().classify([e.text for e in test]))
    assert report.macro_f1 > baseline["macro_f1"] + 0.05
    assert report.macro_f1 >= 0.72
    assert report.calibration_error < 0.10


@pytest.mark.parametrize(("run", "words_only"), [("😀" * 20_000, False), ("!" * 20_000, True)])
def test_long_runs_without_spaces_are_labelled_whole(nw, run, words_only):
    """spaCy's tokenizer is quadratic on such runs; the labeller cuts them so they stay cheap.
    A piece of pure punctuation is not a statement; emoji are."""
    text = "I need help " + run + " thanks"
    result = nw(text)
    assert all(text[s.start:s.end] == s.text for s in result.statements)
    assert result.statements[0].text.startswith("I need help")
    assert result.statements[-1].text.endswith("thanks")
    covered = sum(s.end - s.start for s in result.statements)
    assert covered < len(run) if words_only else covered >= len(run)


@pytest.mark.parametrize(("straight", "curly"), [
    ("I don't want store credit.", "I don’t want store credit."),
    ("I'd like a refund.", "I’d like a refund."),
    ("I can't log in.", "I can’t log in."),
])
def test_curly_apostrophes_read_like_straight_ones(nw, straight, curly):
    a, b = nw(straight).statements[0], nw(curly).statements[0]
    assert (a.label, a.explicit, a.negated, a.cue["text"].replace("'", "’")) == \
        (b.label, b.explicit, b.negated, b.cue["text"])


def test_a_single_string_is_not_taken_as_a_list_of_characters(nw):
    with pytest.raises(TypeError, match="iterable of str"):
        list(nw.pipe("Thanks!"))
    with pytest.raises(TypeError, match="list of str"):
        nw.classify("Thanks!")
    with pytest.raises(ValueError, match="batch_size"):
        list(nw.pipe(["Thanks!"], batch_size=0))


def test_classify_stays_cheap_on_long_runs(nw):
    proba = nw.predict_proba(["😀" * 20_000, "!" * 20_000 + " I need help"])
    assert proba.shape == (2, 4)


def test_load_freezes_the_garbage_collector_once_and_only_when_asked():
    import subprocess
    import sys

    code = (
        "import gc, json, needswants\n"
        "counts = [gc.get_freeze_count()]\n"
        "kept = needswants.load(freeze_gc=False); counts.append(gc.get_freeze_count())\n"
        "first = needswants.load(); counts.append(gc.get_freeze_count())\n"
        "second = needswants.load(); counts.append(gc.get_freeze_count())\n"
        "text = 'I was told it would arrive Monday.'\n"
        "same = kept(text).to_dict() == first(text).to_dict() == second(text).to_dict()\n"
        "print(json.dumps({'counts': counts, 'same': same}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    before, after_unfrozen, after_first, after_second = seen["counts"]
    assert after_unfrozen == before == 0
    assert after_first > 0 and after_second == after_first
    assert seen["same"]
