"""Model folders: save/load round trip, and refusal of anything that is not what the loader expects."""
from __future__ import annotations

import json
import pickle
import shutil
import zipfile

import numpy as np
import pytest

import needswants
from needswants.errors import ModelLoadError, SettingsError, UntrustedModelError

SAMPLES = ["I was promised a call back.", "Can I get the card in blue?", "My app keeps crashing.", "Thanks a lot!",
           "My order is late and I'd like a refund. It should have arrived by now."]


def test_save_and_load_round_trip(small_model, saved_small_model):
    reloaded = needswants.load(saved_small_model)
    np.testing.assert_array_equal(reloaded.predict_proba(SAMPLES), small_model.predict_proba(SAMPLES))
    assert list(reloaded.pipe(SAMPLES)) == list(small_model.pipe(SAMPLES))
    assert (saved_small_model / "card.md").read_text().startswith("# needswants model card")
    meta = json.loads((saved_small_model / "meta.json").read_text())["needswants"]
    assert meta["data"]["n"] > 0 and len(meta["data"]["sha256"]) == 64
    assert {"spacy", "scikit-learn", "numpy"} <= set(meta["versions"])


@pytest.fixture()
def model_copy(saved_small_model, tmp_path):
    return shutil.copytree(saved_small_model, tmp_path / "copy")


def test_save_with_replace_swaps_a_model_folder_whole_and_refuses_anything_else(small_model, model_copy, tmp_path):
    (model_copy / "left-over.txt").write_text("from an older model", encoding="utf-8")
    model_copy.chmod(0o750)
    small_model.save(model_copy, replace=True)
    assert not (model_copy / "left-over.txt").exists()
    assert model_copy.stat().st_mode & 0o777 == 0o750  # the folder keeps its permissions
    assert list(needswants.load(model_copy).pipe(SAMPLES)) == list(small_model.pipe(SAMPLES))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy"]  # no temporary folder left beside it
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(SettingsError, match="is not a model folder"):
        small_model.save(notes, replace=True)
    assert [p.name for p in notes.iterdir()] == ["todo.txt"]


def test_a_pickled_object_array_is_refused(model_copy):
    arrays_path = model_copy / "needswants" / "classifier.npz"
    with np.load(arrays_path) as stored:
        arrays = {k: stored[k] for k in stored.files}

    class Exploit:
        def __reduce__(self):
            return (print, ("code ran",))

    arrays["coef"] = np.array([Exploit()], dtype=object)
    np.savez(arrays_path, **arrays)  # numpy pickles the object array
    with zipfile.ZipFile(arrays_path) as archive:  # the crafted file really holds a pickled object array
        assert b"'descr': '|O'" in archive.read("coef.npy")[:128]
    with pytest.raises(UntrustedModelError, match="Refusing to load"):
        needswants.load(model_copy)


def test_an_unexpected_array_is_refused(model_copy):
    arrays_path = model_copy / "needswants" / "classifier.npz"
    with np.load(arrays_path) as stored:
        arrays = {k: stored[k] for k in stored.files}
    arrays["payload"] = np.zeros(3)
    np.savez(arrays_path, **arrays)
    with pytest.raises(UntrustedModelError, match="unexpected arrays \\['payload'\\]"):
        needswants.load(model_copy)


def test_a_file_that_is_not_an_array_archive_is_refused(model_copy):
    (model_copy / "needswants" / "classifier.npz").write_bytes(pickle.dumps({"coef": [1, 2, 3]}))
    with pytest.raises(UntrustedModelError, match="not a plain numeric array file"):
        needswants.load(model_copy)


def test_a_model_from_another_format_version_is_refused_with_how_to_retrain(model_copy):
    meta_path = model_copy / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["needswants"]["format_version"] = 1
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match="needswants train"):
        needswants.load(model_copy)


def test_a_config_naming_an_unknown_component_is_refused(model_copy):
    config = model_copy / "config.cfg"
    config.write_text(config.read_text().replace('factory = "needswants"', 'factory = "evil_component"'))
    with pytest.raises(ModelLoadError, match="evil_component"):
        needswants.load(model_copy)


def test_a_folder_that_is_not_a_model_is_refused(tmp_path):
    with pytest.raises(ModelLoadError, match="not a needswants model folder"):
        needswants.load(tmp_path)
