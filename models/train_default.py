"""Rebuild the shipped model in models/default from data/ (run from the repository root).

    python models/train_default.py

Picks C on data/dev.jsonl with a model fitted on data/train.jsonl, fits the shipped model on
train and dev together with that C, then scores the finished model and the
keyword baseline on data/test.jsonl for the model card. The test split is only read after
training; nothing is tuned on it.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import srsly

import needswants
from needswants.baseline import KeywordBaseline
from needswants.card import render_card
from needswants.data import read_examples
from needswants.evaluation import scores

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "models" / "default"


def main() -> None:
    labeler = needswants.train(ROOT / "data" / "train.jsonl", dev=ROOT / "data" / "dev.jsonl", seed=0, refit=True)
    test = read_examples(ROOT / "data" / "test.jsonl")
    report = needswants.evaluate(labeler, test).to_dict()
    baseline = scores([e.label for e in test], KeywordBaseline().classify([e.text for e in test]))
    baseline.update(n=len(test), calibration_error=None)
    labeler.nlp.meta["needswants"].update(test=report, baseline_test=baseline)
    labeler.save(OUT, replace=True)
    meta = srsly.read_json(OUT / "meta.json")
    (OUT / "card.md").write_text(render_card(meta["needswants"]), encoding="utf-8")
    print(json.dumps({"dev": meta["needswants"]["dev"]["macro_f1"], "test": report["macro_f1"],
                      "baseline_test": baseline["macro_f1"]}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
