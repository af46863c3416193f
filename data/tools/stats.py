"""Counts for the datasheet: per label, per source, per split (Markdown).

    python data/tools/stats.py
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parents[1]
LABELS = ("expectation", "want", "need", "none")
SPLITS = ("train", "dev", "test")


def main() -> None:
    rows = [json.loads(line) for split in SPLITS for line in (DATA / f"{split}.jsonl").open(encoding="utf-8")]
    corpus = lambda r: r["source"].split(":")[0]  # noqa: E731
    print("| split | " + " | ".join(LABELS) + " | total |\n|---|" + "---|" * (len(LABELS) + 1))
    for split in (*SPLITS, None):
        chosen = [r for r in rows if split is None or r["split"] == split]
        c = Counter(r["label"] for r in chosen)
        print(f"| {split or '**all**'} | " + " | ".join(str(c[lab]) for lab in LABELS) + f" | {len(chosen)} |")
    print("\n| source | " + " | ".join(LABELS) + " | total | records |\n|---|" + "---|" * (len(LABELS) + 2))
    for name in sorted({corpus(r) for r in rows}):
        chosen = [r for r in rows if corpus(r) == name]
        c = Counter(r["label"] for r in chosen)
        records = len({r["source"] if name != "written" else r["id"].rsplit(".", 1)[0] for r in chosen})
        print(f"| {name} | " + " | ".join(str(c[lab]) for lab in LABELS) + f" | {len(chosen)} | {records} |")
    exp = [r for r in rows if r["label"] == "expectation"]
    levels = Counter(r["level"] for r in exp)
    real = sum(corpus(r) != "written" for r in rows)
    print("\nExpectation levels: " + ", ".join(f"{k} {v}" for k, v in levels.most_common()) +
          f". Cut from real texts: {real} of {len(rows)} ({real / len(rows):.0%}). "
          f"Statements with a target span: {sum(1 for r in rows if r['target'])}.")


if __name__ == "__main__":
    main()
