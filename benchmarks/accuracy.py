"""The README's accuracy tables: the shipped model's card data (models/default/meta.json), and
its test scores by source.

    python models/train_default.py             # retrains and scores on dev and test (test read only after training)
    python benchmarks/accuracy.py              # prints the Markdown table of the card's scores
    python benchmarks/accuracy.py --by-source  # prints the shipped model's test scores by source
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELS = ("expectation", "want", "need", "none")


def main() -> None:
    meta = json.loads((ROOT / "models" / "default" / "meta.json").read_text())["needswants"]
    columns = [("needswants, dev", meta["dev"]), ("needswants, test", meta["test"]),
               ("keyword baseline, test", meta["baseline_test"])]
    print("| F1 | " + " | ".join(name for name, _ in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for label in LABELS:
        print(f"| {label} | " + " | ".join(f"{r['per_label'][label]['f1']:.3f}" for _, r in columns) + " |")
    print("| **macro-F1** | " + " | ".join(f"**{r['macro_f1']:.3f}**" for _, r in columns) + " |")
    print("| accuracy | " + " | ".join(f"{r['accuracy']:.3f}" for _, r in columns) + " |")
    print("| calibration error (ECE) | " + " | ".join(
        f"{r['calibration_error']:.3f}" if r.get("calibration_error") is not None else "n/a" for _, r in columns) + " |")
    print("| statements | " + " | ".join(str(r["n"]) for _, r in columns) + " |")
    test = meta["test"]
    print(f"\nExpectation level accuracy on test (gold expectations): {test['level_accuracy']:.3f}; "
          f"target word-overlap F1 on test: {test['target_f1']:.3f}.")


SOURCES = (("written by the team", ("written",)), ("banking queries", ("banking77",)),
           ("app reviews", ("app_reviews_is22",)), ("complaint letters", ("cfpb_complaints",)),
           ("all real text", ("banking77", "app_reviews_is22", "cfpb_complaints")))


def by_source() -> None:
    """Test macro-F1 and accuracy of the shipped model for each source of the statements."""
    import needswants
    from needswants.data import read_examples
    from needswants.evaluation import evaluate

    nw = needswants.load()
    test = read_examples(ROOT / "data" / "test.jsonl")
    print("| source | statements | macro-F1 | accuracy |\n|---|---|---|---|")
    for name, corpora in SOURCES:
        chosen = [e for e in test if e.source_kind in corpora]
        report = evaluate(nw, chosen)
        print(f"| {name} | {len(chosen):,} | {report.macro_f1:.3f} | {report.accuracy:.3f} |")


if __name__ == "__main__":
    if "--by-source" in sys.argv[1:]:
        by_source()
    else:
        main()
