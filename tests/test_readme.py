"""Every example in the README runs."""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)
BASH_BLOCKS = re.findall(r"```bash\n(.*?)```", README, re.S)


def test_readme_opens_with_the_two_commands():
    first_two = BASH_BLOCKS[:2]
    assert first_two[0].startswith("pip install . && needswants label data/sample_tickets.csv")
    assert first_two[1].strip() == "pip install -e '.[dev]' && python -m pytest"
    assert "pip install -e '.[dev]' && python -m pytest" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=[f"python-{i}" for i in range(len(PYTHON_BLOCKS))])
def test_python_examples_run(block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {"__name__": "readme"})


def _commands():
    for block in BASH_BLOCKS:
        for line in block.strip().splitlines():
            # the package is already installed in the test environment; run what follows `pip install`
            command = line.split(" && ", 1)[1] if line.startswith("pip install") else line
            if command.startswith("needswants "):
                yield command


@pytest.mark.slow
def test_command_examples_run(tmp_path):
    """Run the README's commands in order in a scratch folder holding a copy of data/ (its train split
    thinned to an even sample of about 2,000 statements, so the training example stays quick)."""
    shutil.copytree(ROOT / "data", tmp_path / "data", ignore=shutil.ignore_patterns("annotation", "tools"))
    train = tmp_path / "data" / "train.jsonl"
    lines = train.read_text(encoding="utf-8").splitlines(keepends=True)
    train.write_text("".join(lines[::max(1, len(lines) // 2000)]), encoding="utf-8")
    commands = list(_commands())
    assert commands[0].startswith("needswants label")
    exe = [sys.executable, "-m", "needswants"]
    for command in commands:
        done = subprocess.run(exe + shlex.split(command)[1:], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, f"{command}\n{done.stderr}"
    assert (tmp_path / "labelled.jsonl").is_file() and (tmp_path / "report.html").is_file()


def test_accuracy_table_matches_the_shipped_model_card():
    table = re.search(r"<!-- accuracy-table -->\n(.*?)\n<!-- /accuracy-table -->", README, re.S).group(1)
    printed = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "accuracy.py")], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert table == printed, "rerun python benchmarks/accuracy.py and paste its table into the README"


def test_accuracy_by_source_matches_the_shipped_model():
    table = re.search(r"<!-- source-table -->\n(.*?)\n<!-- /source-table -->", README, re.S).group(1)
    printed = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "accuracy.py"), "--by-source"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert table == printed, "rerun python benchmarks/accuracy.py --by-source and paste its table into the README"
