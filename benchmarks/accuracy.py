"""The README's accuracy tables: the shipped models' card data (models/default/meta.json and
models/accurate/meta.json), and their test scores by source.

    python models/train_default.py             # retrains and scores on dev and test (test read only after training)
    python models/train_accurate.py            # the same for the accurate model (needs the [finetune] extra)
    python benchmarks/accuracy.py              # prints the Markdown table of the cards' scores
    python benchmarks/accuracy.py --by-source  # prints the shipped models' test scores by source
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from needswants import LABELS

ROOT = Path(__file__).resolve().parents[1]


def card(model: str) -> dict:
    return json.loads((ROOT / "models" / model / "meta.json").read_text())["needswants"]


def main() -> None:
    meta, accurate = card("default"), card("accurate")
    columns = [("default, dev", meta["dev"]), ("default, test", meta["test"]),
               ("accurate, dev", accurate["dev"]), ("accurate, test", accurate["test"]),
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
    for name, test in (("default", meta["test"]), ("accurate", accurate["test"])):
        print(f"\n{name.capitalize()} model: expectation level accuracy on test (gold expectations) "
              f"{test['level_accuracy']:.3f}; target word-overlap F1 on test {test['target_f1']:.3f}.")


SOURCES = (("written by the team", ("written",)), ("banking queries", ("banking77",)),
           ("app reviews", ("app_reviews_is22",)), ("complaint letters", ("cfpb_complaints",)),
           ("all real text", ("banking77", "app_reviews_is22", "cfpb_complaints")))


def by_source() -> None:
    """Test macro-F1 and accuracy of the shipped models for each source of the statements."""
    import needswants
    from needswants.data import read_examples
    from needswants.evaluation import scores

    test = read_examples(ROOT / "data" / "test.jsonl")
    predicted = {name: needswants.load(name).classify([e.text for e in test]) for name in ("default", "accurate")}
    print("| source | statements | macro-F1, default | accuracy, default | macro-F1, accurate | accuracy, accurate |\n"
          "|---|---|---|---|---|---|")
    for name, corpora in SOURCES:
        rows = [i for i, e in enumerate(test) if e.source_kind in corpora]
        gold = [test[i].label for i in rows]
        cells = [f"{s['macro_f1']:.3f} | {s['accuracy']:.3f}"
                 for s in (scores(gold, [predicted[model][i] for i in rows]) for model in predicted)]
        print(f"| {name} | {len(rows):,} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if "--by-source" in sys.argv[1:]:
        by_source()
    else:
        main()
