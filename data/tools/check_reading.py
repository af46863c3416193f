"""Check one annotation file against its candidates (used by the people labelling).

    python data/tools/check_reading.py data/annotation/banking_a          # real batch
    python data/tools/check_reading.py data/annotation/written_a --written

A real batch: <name>.candidates.jsonl is read, <name>.reading1.jsonl is checked:
every candidate covered, in order; each statement's text a verbatim substring of its
candidate; labels and attributes valid; target a verbatim substring of the statement.
A written batch: <name>.messages.jsonl and <name>.reading1.jsonl, statements verbatim in their message.
"""
from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

LABELS = {"expectation", "want", "need", "none"}
LEVELS = {"desired", "adequate", "predicted", None}


def check_statement(where: str, row: dict, container: str) -> list[str]:
    problems = []
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        return [f"{where}: empty text"]
    if text not in container:
        problems.append(f"{where}: text is not a verbatim part of its candidate/message: {text!r}")
    if row.get("label") not in LABELS:
        problems.append(f"{where}: label {row.get('label')!r} is not one of {sorted(LABELS)}")
    for key in ("explicit", "negated"):
        if not isinstance(row.get(key), bool):
            problems.append(f"{where}: {key} must be true or false")
    level = row.get("level")
    if level not in LEVELS:
        problems.append(f"{where}: level {level!r} must be desired/adequate/predicted/null")
    if row.get("label") == "expectation" and level is None:
        problems.append(f"{where}: an expectation needs a level")
    if row.get("label") != "expectation" and level is not None:
        problems.append(f"{where}: only expectations have a level")
    target = row.get("target")
    if target is not None and (not isinstance(target, str) or target not in text):
        problems.append(f"{where}: target {target!r} is not a verbatim part of the statement text")
    if row.get("label") == "none" and target is not None:
        problems.append(f"{where}: a `none` statement has no target")
    return problems


def main(prefix: str, written: bool) -> int:
    base = Path(prefix)
    readings = [json.loads(l) for l in open(f"{base}.reading1.jsonl", encoding="utf-8") if l.strip()]
    problems: list[str] = []
    if written:
        messages = {m["mid"]: m for m in map(json.loads, open(f"{base}.messages.jsonl", encoding="utf-8"))}
        seen = set()
        for i, row in enumerate(readings, 1):
            msg = messages.get(row.get("mid"))
            if msg is None:
                problems.append(f"line {i}: unknown mid {row.get('mid')!r}")
                continue
            seen.add(row["mid"])
            problems += check_statement(f"line {i} ({row['mid']})", row, msg["text"])
        problems += [f"message {m} has no statements" for m in messages if m not in seen]
    else:
        cands = [json.loads(l) for l in open(f"{base}.candidates.jsonl", encoding="utf-8")]
        by_cid = {c["cid"]: c for c in cands}
        covered = set()
        for i, row in enumerate(readings, 1):
            cand = by_cid.get(row.get("cid"))
            if cand is None:
                problems.append(f"line {i}: unknown cid {row.get('cid')!r}")
                continue
            covered.add(row["cid"])
            problems += check_statement(f"line {i} ({row['cid']})", row, cand["text"])
        problems += [f"candidate {c} not labelled" for c in by_cid if c not in covered]
    for p in problems[:50]:
        print(p)
    counts = collections.Counter(r.get("label") for r in readings)
    print(f"{len(readings)} statements, {len(problems)} problems, labels: {dict(counts)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], "--written" in sys.argv))
