"""The shipped ``accurate`` model: the NB-SVM blended with a fine-tuned transformer run by onnxruntime."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import needswants
from needswants import LABELS
from needswants.encoder import ENCODER_FOLDER, MODEL_FILE, SETTINGS_FILE, TOKENIZER_FILE, blend, fit_blend_temperature
from needswants.cli import app
from needswants.errors import ModelLoadError

ROOT = Path(__file__).resolve().parents[1]
STATEMENTS = ["I was promised a call back.", "Dark mode please!", "My card is blocked. Help!", "Thanks.",
              "For $30 a month it should just work.", "Can you send a replacement rather than a refund?", ""]
TICKETS = ["My order is late and I'd like a refund.", "I was told it would arrive Monday. It's been three weeks!",
           "Hi,\nthanks.\n\nOrder #12345", "", "I can't log in since the update \U0001F621 \ud800"]


@pytest.fixture(scope="session")
def accurate() -> needswants.Labeler:
    return needswants.load("accurate")


def test_load_by_name_gives_the_shipped_accurate_model_with_its_encoder(accurate, nw):
    assert accurate.component.encoder is not None and nw.component.encoder is None
    assert accurate.meta["model"] == "accurate"
    assert needswants.load("default").component.encoder is None
    with pytest.raises(ModelLoadError, match="ships no model named"):
        needswants.paths.shipped_model_folder("huge")


def test_probabilities_are_the_blend_of_the_nbsvm_and_the_encoder(accurate, nw):
    """The accurate model's NB-SVM is the default model's: its rows blended with the encoder's are what comes out."""
    encoder = accurate.component.encoder
    expected = blend(nw.predict_proba(STATEMENTS), encoder.predict_proba(STATEMENTS), **encoder.blend)
    proba = accurate.predict_proba(STATEMENTS)
    np.testing.assert_allclose(proba, expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert accurate.classify(STATEMENTS) == [LABELS[i] for i in proba.argmax(axis=1)]
    assert not np.allclose(proba, nw.predict_proba(STATEMENTS), atol=0.01)  # the encoder changes the scores


def test_a_statements_scores_do_not_depend_on_its_batch(accurate):
    one_by_one = [accurate(t) for t in TICKETS]
    assert list(accurate.pipe(TICKETS, batch_size=2)) == one_by_one
    assert list(accurate.pipe(TICKETS * 3, batch_size=1000))[:len(TICKETS)] == one_by_one
    np.testing.assert_array_equal(accurate.predict_proba(STATEMENTS[:2]), accurate.predict_proba(STATEMENTS)[:2])


@settings(max_examples=25, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_statements_that_slice_it_with_scores_summing_to_one(accurate, text):
    for s in accurate(text).statements:
        assert text[s.start:s.end] == s.text
        assert s.label in LABELS and s.confidence == max(s.scores.values()) == s.scores[s.label]
        assert abs(sum(s.scores.values()) - 1.0) < 1e-9
        assert (s.level is not None) == (s.label == "expectation")


@pytest.mark.slow
def test_two_processes_give_the_same_results_as_one(accurate):
    assert list(accurate.pipe(TICKETS * 4, batch_size=3, n_process=2)) == list(accurate.pipe(TICKETS * 4))


def test_save_and_load_round_trip_keeps_the_encoder_and_replace_swaps_it(accurate, tmp_path):
    folder = accurate.save(tmp_path / "copy")
    reloaded = needswants.load(folder)
    np.testing.assert_array_equal(reloaded.predict_proba(STATEMENTS), accurate.predict_proba(STATEMENTS))
    reloaded.save(folder, replace=True)  # the encoder is held in memory: replacing its own folder works
    assert list(needswants.load(folder).pipe(TICKETS)) == list(accurate.pipe(TICKETS))
    needswants.load().save(folder, replace=True)
    assert not (folder / "needswants" / ENCODER_FOLDER).exists()
    assert needswants.load(folder).component.encoder is None


@pytest.fixture()
def accurate_copy(tmp_path):
    return shutil.copytree(needswants.labeler.model_folder("accurate"), tmp_path / "accurate")


@pytest.mark.parametrize("name", [MODEL_FILE, TOKENIZER_FILE])
def test_a_changed_or_cut_encoder_file_is_refused(accurate_copy, name):
    changed = accurate_copy / "needswants" / ENCODER_FOLDER / name
    changed.write_bytes(changed.read_bytes()[:-1000])
    with pytest.raises(ModelLoadError, match=f"{name} does not match the sha256"):
        needswants.load(accurate_copy).classify(["x"])


def test_without_the_accurate_extra_loading_names_the_install_command():
    blocked = ("import sys; sys.modules['onnxruntime'] = None\n"  # as if onnxruntime were not installed
               "import needswants\n"
               "assert needswants.load().classify(['Dark mode please!']) == ['want']\n"
               "try:\n    needswants.load('accurate')\n"
               "except needswants.errors.ModelLoadError as err:\n    print(err)\n")
    done = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "pip install 'needswants[accurate]'" in done.stdout


def test_the_label_command_takes_the_accurate_model_by_name(accurate, tmp_path):
    export = tmp_path / "tickets.jsonl"
    export.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(TICKETS)), encoding="utf-8")
    out = tmp_path / "labelled.jsonl"
    done = CliRunner().invoke(app, ["label", str(export), "-o", str(out), "--id-column", "id", "--model", "accurate"])
    assert done.exit_code == 0, done.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == list(range(len(TICKETS)))
    for record, ticket in zip(records, TICKETS):
        expected = accurate(ticket).statements
        assert [(s["label"], s["start"], s["end"]) for s in record["statements"]] == \
            [(s.label, s.start, s.end) for s in expected]
        # the confidences are the blend's, not the default model's (whose labels may well agree)
        assert [s["confidence"] for s in record["statements"]] == pytest.approx([s.confidence for s in expected])


def test_an_encoder_of_another_format_is_refused_with_how_to_rebuild(accurate_copy):
    settings_file = accurate_copy / "needswants" / ENCODER_FOLDER / SETTINGS_FILE
    settings_file.write_text(json.dumps(dict(json.loads(settings_file.read_text()), format_version=99)))
    with pytest.raises(ModelLoadError, match="train_accurate.py"):
        needswants.load(accurate_copy).classify(["x"])


def test_the_accurate_model_beats_the_default_on_the_test_split_as_its_card_says(accurate):
    report = needswants.evaluate(accurate, ROOT / "data" / "test.jsonl")
    assert report.macro_f1 == pytest.approx(accurate.meta["test"]["macro_f1"], abs=1e-9)
    assert report.macro_f1 > accurate.meta["nbsvm_test"]["macro_f1"] + 0.03


probabilities = st.lists(st.floats(0.001, 1.0), min_size=4, max_size=4).map(lambda row: np.array(row) / sum(row))


@given(st.lists(st.tuples(probabilities, probabilities), min_size=1, max_size=20), st.floats(0.0, 1.0),
       st.floats(0.2, 5.0))
def test_blend_rows_sum_to_one_and_temperature_never_changes_the_winner(rows, weight, temperature):
    nbsvm, encoder = np.array([a for a, _ in rows]), np.array([b for _, b in rows])
    blended = blend(nbsvm, encoder, weight, temperature)
    np.testing.assert_allclose(blended.sum(axis=1), 1.0)
    mean = (1 - weight) * nbsvm + weight * encoder
    np.testing.assert_array_equal(blended.argmax(axis=1), blend(nbsvm, encoder, weight, 1.0).argmax(axis=1))
    np.testing.assert_allclose(blend(nbsvm, encoder, weight, 1.0), mean / mean.sum(axis=1, keepdims=True))


def test_the_fitted_temperature_recovers_the_one_the_labels_were_drawn_with():
    rng = np.random.default_rng(0)
    nbsvm = rng.dirichlet(np.ones(4) * 0.5, size=4000)
    encoder = rng.dirichlet(np.ones(4) * 0.5, size=4000)
    truth = blend(nbsvm, encoder, 0.5, 0.6)  # labels drawn from sharper scores than the mean
    y = np.array([rng.choice(4, p=row) for row in truth])
    assert fit_blend_temperature(nbsvm, encoder, y) == pytest.approx(0.6, abs=0.06)
