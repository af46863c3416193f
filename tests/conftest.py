"""Shared fixtures: the shipped model and a small model trained on real corpus rows, each built once."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import needswants

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


@pytest.fixture(scope="session")
def nw() -> needswants.Labeler:
    """The shipped default model, loaded once."""
    return needswants.load()


@pytest.fixture(scope="session")
def small_train() -> list[dict]:
    """An even sample of about 1,600 training statements from every round and source: enough for
    all four labels and the levels, quick to fit."""
    rows = read_jsonl(DATA / "train.jsonl")
    return rows[::max(1, len(rows) // 1600)]


@pytest.fixture(scope="session")
def small_model(small_train: list[dict]) -> needswants.Labeler:
    return needswants.train(small_train, seed=0, C=4.0)


@pytest.fixture(scope="session")
def saved_small_model(small_model: needswants.Labeler, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_model.save(tmp_path_factory.mktemp("model") / "small")
