"""Draw the random sample for the second, independent reading (labels hidden).

    python data/tools/sample_second_reading.py   # round 1: writes data/annotation/second_reading_{1,2}.todo.jsonl
    python data/tools/sample_second_reading.py --batches banking_c complaints_c --name second_reading_3

With --batches, only those batches are sampled, into one file named by --name (used for the
batches read in round 2, so the round-1 sample and its readings stay as they were).
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "data" / "tools"))
from build_splits import ANNOTATION, read_jsonl, statements  # noqa: E402

SEED = 11
SHARE = 0.11  # a little over the 10% asked for, so it stays above 10% after de-duplication


def main() -> None:
    args = sys.argv[1:]
    only = args[args.index("--batches") + 1:args.index("--name")] if "--batches" in args else None
    name = args[args.index("--name") + 1] if "--name" in args else None
    rng = random.Random(SEED if only is None else f"{SEED}:{name}")
    rows = statements()
    contexts = {}
    for path in ANNOTATION.glob("*.candidates.jsonl"):
        for c in read_jsonl(path):
            contexts[c["cid"]] = c["text"]
    for path in ANNOTATION.glob("*.messages.jsonl"):
        for m in read_jsonl(path):
            contexts[m["mid"]] = m["text"]
    by_batch: dict[str, list[dict]] = {}
    for row in rows:
        by_batch.setdefault(row["key"].split(":")[0], []).append(row)
    sample = []
    for batch, members in sorted(by_batch.items()):
        if only is None and not batch.endswith(("_a", "_b")):
            continue  # batches of later rounds are sampled with --batches
        if only is not None and batch not in only:
            continue
        sample += rng.sample(members, max(1, round(SHARE * len(members))))
    rng.shuffle(sample)
    half = len(sample) // 2
    parts = (("1", sample[:half]), ("2", sample[half:])) if only is None else ((None, sample),)
    for part, chunk in parts:
        filename = f"second_reading_{part}.todo.jsonl" if part else f"{name}.todo.jsonl"
        with (ANNOTATION / filename).open("w", encoding="utf-8") as fh:
            for row in chunk:
                unit = row["id"].rsplit(".", 1)[0]
                fh.write(json.dumps({"key": row["key"], "text": row["text"], "context": contexts[unit]},
                                    ensure_ascii=False) + "\n")
    print(len(sample), "statements sampled of", len(rows))


if __name__ == "__main__":
    main()
