"""The wheel carries the shipped model, so `needswants.load()` works after `pip install .` anywhere."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contains_the_model_and_loads_it_from_anywhere(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path),
                    str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("needswants-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for member in ("config.cfg", "meta.json", "card.md", "needswants/classifier.json", "needswants/classifier.npz",
                   "needswants/lookups.bin", "needswants/targets.json", "needswants/targets.npz"):
        assert f"needswants/_models/default/{member}" in names
        assert f"needswants/_models/accurate/{member}" in names
    for member in ("model.onnx", "tokenizer.json", "encoder.json"):
        assert f"needswants/_models/accurate/needswants/encoder/{member}" in names
    assert "needswants/py.typed" in names
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    code = ("import needswants, needswants.paths as p\n"
            "print(p.shipped_model_folder().relative_to(p.PACKAGE_DIR).as_posix())\n"
            "print(needswants.load()('I need a refund.').statements[0].label in needswants.LABELS)\n"
            "print(needswants.load().component.tagger is not None)\n"
            "print(needswants.load('accurate').classify(['Dark mode please!'])[0] in needswants.LABELS)")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env={"PYTHONPATH": str(target), "PATH": ""},
                         capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["_models/default", "True", "True", "True"]
