"""Agreement between the first and the second (independent) reading.

    python data/tools/agreement.py     # prints Cohen's kappa; writes data/annotation/agreement.json
                                       # and data/annotation/disagreements.todo.jsonl: the disagreements
                                       # not yet decided in an adjudicated*.jsonl file
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "data" / "tools"))
from build_splits import ANNOTATION, adjudicated, read_jsonl, statements  # noqa: E402

LABELS = ["expectation", "want", "need", "none"]


def main() -> None:
    first = {row["key"]: row for row in statements()}
    second = {}
    for path in sorted(ANNOTATION.glob("second_reading_*.reading2.jsonl")):
        for row in read_jsonl(path):
            second[row["key"]] = row
    todo = {}
    for path in sorted(ANNOTATION.glob("second_reading_*.todo.jsonl")):
        for row in read_jsonl(path):
            todo[row["key"]] = row
    keys = sorted(second)
    a = [first[k]["label"] for k in keys]
    b = [second[k]["label"] for k in keys]
    kappa = cohen_kappa_score(a, b, labels=LABELS)
    agree = sum(x == y for x, y in zip(a, b)) / len(keys)
    both_exp = [k for k in keys if first[k]["label"] == second[k]["label"] == "expectation"]
    level_agree = sum(first[k]["level"] == second[k]["level"] for k in both_exp) / max(1, len(both_exp))
    per_label = {}
    for label in LABELS:
        per_label[label] = float(cohen_kappa_score([x == label for x in a], [y == label for y in b]))
    pairs = Counter(f"{x}->{y}" for x, y in zip(a, b) if x != y)
    result = {"n": len(keys), "kappa": float(kappa), "observed_agreement": agree, "per_label_kappa": per_label,
              "level_agreement_on_shared_expectations": level_agree, "n_shared_expectations": len(both_exp),
              "disagreements": sum(pairs.values()), "disagreement_pairs (first->second)": dict(pairs.most_common())}
    (ANNOTATION / "agreement.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    decided = adjudicated()
    with (ANNOTATION / "disagreements.todo.jsonl").open("w", encoding="utf-8") as fh:
        for k in keys:
            if first[k]["label"] != second[k]["label"] and k not in decided:
                fh.write(json.dumps({"key": k, "text": first[k]["text"], "context": todo[k]["context"],
                                     "reading_a": {"label": first[k]["label"], "level": first[k]["level"]},
                                     "reading_b": {"label": second[k]["label"], "level": second[k]["level"]}},
                                    ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
