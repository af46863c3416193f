"""The learned target tagger: its decoding, its training, its file, and its use in labelling."""
from __future__ import annotations

import shutil

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import spacy

import needswants
from needswants.attributes import describe
from needswants.errors import ModelLoadError, UntrustedModelError
from needswants.segment import TokenTable
from needswants.targets import ARRAYS_FILE, best_run

scores = st.lists(st.floats(-5, 5, allow_nan=False), min_size=0, max_size=12)


@given(scores, scores)
def test_best_run_is_the_best_of_all_runs(begin, inside):
    n = min(len(begin), len(inside))
    begin, inside = begin[:n], inside[:n]
    runs = {(a, b): begin[a] + sum(inside[a + 1:b]) for a in range(n) for b in range(a + 1, n + 1)}
    found = best_run(begin, inside)
    best = max(runs.values(), default=0.0)
    if best <= 0:
        assert found is None
    else:
        assert found is not None and runs[found] == pytest.approx(best)


def test_the_shipped_model_finds_targets_where_people_marked_them(nw):
    result = nw("I need the invoice by Friday for my audit.")
    (statement,) = result.statements
    assert statement.label == "need"
    assert statement.target is not None
    assert result.text[statement.target["start"]:statement.target["end"]] == statement.target["text"]
    assert "invoice" in statement.target["text"]


def test_a_none_statement_gets_no_target_even_from_a_span():
    table = TokenTable.of(spacy.blank("en")("Thanks a lot!"))
    assert describe(table, 0, 4, "none", [], target=(0, 6))["target"] is None
    assert describe(table, 0, 4, "need", [], target=(0, 6))["target"] == {"text": "Thanks", "start": 0, "end": 6}


def test_a_small_model_learns_targets_and_keeps_them_through_save_and_load(small_model, saved_small_model):
    assert small_model.component.tagger is not None
    reloaded = needswants.load(saved_small_model)
    texts = ["Where is my refund?", "I would like a dark mode.", "I was told the parcel would come on Monday."]
    assert [s.target for r in reloaded.pipe(texts) for s in r.statements] == \
        [s.target for r in small_model.pipe(texts) for s in r.statements]
    assert any(s.target for r in small_model.pipe(texts) for s in r.statements)


def test_a_target_file_with_a_pickled_array_is_refused(saved_small_model, tmp_path):
    copy = shutil.copytree(saved_small_model, tmp_path / "copy")
    path = copy / "needswants" / ARRAYS_FILE
    with np.load(path) as stored:
        arrays = {k: stored[k] for k in stored.files}
    arrays["weights"] = np.array([object()], dtype=object)
    np.savez(path, **arrays)
    with pytest.raises(UntrustedModelError, match="Refusing to load"):
        needswants.load(copy)("Where is my refund?")


def _copy_without_tagger(model_folder, copy):
    """A copy of ``model_folder`` at ``copy`` with the tagger's files deleted."""
    copy = shutil.copytree(model_folder, copy)
    (copy / "needswants" / ARRAYS_FILE).unlink()
    (copy / "needswants" / "targets.json").unlink()
    return copy


def test_a_model_without_a_tagger_falls_back_to_the_rule(saved_small_model, tmp_path):
    labeler = needswants.load(_copy_without_tagger(saved_small_model, tmp_path / "copy"))
    assert labeler.component.tagger is None
    text = "I need a new charger because mine broke."
    doc = labeler.nlp.make_doc(text)
    table = TokenTable.of(doc)
    cues = labeler.component.cue_matcher(doc, table)
    by_rule = describe(table, 0, len(doc), "need", cues)["target"]
    assert by_rule == {"text": "a new charger", "start": 7, "end": 20}
    for statement in labeler(text).statements:
        if statement.label != "none":
            assert statement.target == describe(table, 0, len(doc), statement.label, cues)["target"]


def test_a_model_without_a_tagger_saved_over_one_with_a_tagger_keeps_none(saved_small_model, tmp_path):
    without = _copy_without_tagger(saved_small_model, tmp_path / "without")
    over = shutil.copytree(saved_small_model, tmp_path / "over")  # holds a tagger
    needswants.load(without).save(over)
    assert not (over / "needswants" / ARRAYS_FILE).exists()
    assert needswants.load(over).component.tagger is None


def test_a_tagger_file_without_its_arrays_is_named_as_incomplete(saved_small_model, tmp_path):
    copy = shutil.copytree(saved_small_model, tmp_path / "copy")
    (copy / "needswants" / ARRAYS_FILE).unlink()
    with pytest.raises(ModelLoadError, match="holds only one of targets.json and targets.npz"):
        needswants.load(copy)("Where is my refund?")
