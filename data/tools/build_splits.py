"""Assemble data/{train,dev,test}.jsonl from the readings in data/annotation/.

    python data/tools/build_splits.py

For each statement the label is the first reading's, replaced by the adjudicated label
where the second reading disagreed (data/annotation/adjudicated.jsonl). Statements of one
original message stay in one split; splits are stratified by corpus and by the message's
labels (70/15/15); a text that folds (case, punctuation) to one already in another split is
dropped (the later round's copy, else the later split's), so no text is shared across splits.

A message keeps the split it was first given: data/annotation/splits.json records, deal by
deal, every message's split, and only messages that are not in it yet (a new round of reading)
are dealt out, among themselves, as a new deal. splits.json also records the run in which each
batch was first read in ("batches"), so a newer batch's statement that repeats an older one is the
one dropped even when its message was dealt before (round 12 read more sentences of old letters).
So a new round never moves a statement from test into train, and never pushes out an older
statement as a duplicate.
"""
from __future__ import annotations

import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from needswants.data import fold  # noqa: E402

ANNOTATION = ROOT / "data" / "annotation"
SPLITS = ANNOTATION / "splits.json"
ABOUT_SPLITS = ("Each deal lists the messages (groups) given a split in one run of build_splits.py, oldest first. "
                "A message keeps its split; a cross-split duplicate text is dropped from the later deal. "
                "'batches' gives the run (deal number) in which each batch was first read into the splits; "
                "a statement of a later batch that repeats an earlier one is the one dropped.")
SEED = 7
PATTERN = ["train"] * 14 + ["dev"] * 3 + ["test"] * 3


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def statements() -> list[dict]:
    """Every read statement with its key, group (original message) and corpus."""
    out = []
    for reading in sorted(ANNOTATION.glob("*.reading1.jsonl")):
        batch = reading.name.split(".")[0]
        rows = read_jsonl(reading)
        written = (ANNOTATION / f"{batch}.messages.jsonl").is_file()
        if not written:
            cands = {c["cid"]: c for c in read_jsonl(ANNOTATION / f"{batch}.candidates.jsonl")}
        part = Counter()
        for n, row in enumerate(rows, 1):
            unit = row["mid"] if written else row["cid"]
            part[unit] += 1
            source = "written" if written else cands[unit]["source"]
            out.append({
                "key": f"{batch}:{n}",
                "batch": batch,
                "id": f"{unit}.{part[unit]}",
                "group": unit if written else source,
                "corpus": batch if written else source.split(":")[0],
                "source": source,
                **{k: row[k] for k in ("text", "label", "explicit", "negated", "level", "target")},
            })
    return out


def adjudication_order(path: Path) -> int:
    """adjudicated.jsonl is the first file, adjudicated_N.jsonl the N-th (so _10 comes after _9)."""
    suffix = path.stem.partition("_")[2]
    if suffix and not suffix.isdigit():
        raise SystemExit(f"{path.name}: adjudication files are named adjudicated.jsonl or adjudicated_N.jsonl")
    return int(suffix) if suffix else 1


def adjudicated() -> dict[str, dict]:
    """Final decisions (adjudicated*.jsonl), by key: the second reading's disagreements, and
    statements re-read in a consistency review after a new rule (adjudicated_5.jsonl). A later
    file's decision on a statement replaces an earlier one's."""
    files = sorted(ANNOTATION.glob("adjudicated*.jsonl"), key=adjudication_order)
    return {a["key"]: a for path in files for a in read_jsonl(path)}


def apply_adjudication(rows: list[dict]) -> None:
    final = adjudicated()
    for row in rows:
        if row["key"] in final:
            decided = final[row["key"]]
            row["label"] = decided["label"]
            row["level"] = decided.get("level") if decided["label"] == "expectation" else None
            for attribute in ("explicit", "negated"):  # set only where the decision says so
                if attribute in decided:
                    row[attribute] = decided[attribute]
            if decided["label"] == "none":
                row["target"] = None


def assign_splits(rows: list[dict], deals: list[dict[str, str]]) -> list[dict[str, str]]:
    """Give every row a split: its message's split in an earlier deal, else one dealt now.

    ``deals`` are the earlier runs' {message: split}, oldest first; returns them plus this
    run's deal (if it dealt any message). Each row also gets ``deal``, the index of its deal.
    """
    rng = random.Random(SEED)
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["group"]].append(row)
    known = {group: (n, split) for n, deal in enumerate(deals) for group, split in deal.items()}
    by_corpus: dict[str, list[str]] = defaultdict(list)
    for group, members in groups.items():
        if group not in known:
            by_corpus[members[0]["corpus"]].append(group)
    dealt: dict[str, str] = {}
    for corpus, names in sorted(by_corpus.items()):
        rng.shuffle(names)
        # stratify: order groups by their rarest label, then deal them out 14/3/3
        rank = {"expectation": 0, "want": 1, "need": 2, "none": 3}
        names.sort(key=lambda g: min(rank[r["label"]] for r in groups[g]))
        for i, group in enumerate(names):
            dealt[group] = PATTERN[i % len(PATTERN)]
            known[group] = (len(deals), dealt[group])
    for row in rows:
        row["deal"], row["split"] = known[row["group"]]
    return deals + [dict(sorted(dealt.items()))] if dealt else deals


def record(row: dict) -> dict:
    target = None
    if row["target"]:
        start = row["text"].find(row["target"])
        if start >= 0:
            target = {"start": start, "end": start + len(row["target"]), "text": row["target"]}
    return {"id": row["id"], "text": row["text"], "label": row["label"], "explicit": row["explicit"],
            "negated": row["negated"], "level": row["level"] if row["label"] == "expectation" else None,
            "target": target if row["label"] != "none" else None, "source": row["source"], "split": row["split"]}


SPLIT_ORDER = {"train": 0, "dev": 1, "test": 2}


def batch_orders(rows: list[dict], saved: dict[str, int], this_run: int) -> dict[str, int]:
    """When each batch was first read into the splits: ``saved`` (splits.json's "batches") for the
    batches recorded there, ``this_run`` (the number of this run's deal) for a batch read since, even
    when its statements belong to messages dealt before (round 12 read more sentences of old letters)."""
    orders = dict(saved)
    for row in rows:
        orders.setdefault(row["batch"], this_run)
    return dict(sorted(orders.items(), key=lambda item: (item[1], item[0])))


def without_cross_split_repeats(rows: list[dict], orders: dict[str, int]) -> tuple[dict[str, list[dict]], int]:
    """The records of each split, and how many statements were dropped: a statement whose folded
    text is already in another split goes. Earlier batches (``orders``: batch -> the deal it was
    first read in) come first, then earlier deals, then train, dev, test; so a new statement that
    repeats an old one is the one dropped, even when its message was dealt long before."""
    first_split: dict[str, str] = {}
    kept: dict[str, list[dict]] = defaultdict(list)
    dropped = 0
    for row in sorted(rows, key=lambda r: (orders[r["batch"]], r["deal"], SPLIT_ORDER[r["split"]])):
        if first_split.setdefault(fold(row["text"]), row["split"]) != row["split"]:
            dropped += 1
            continue
        kept[row["split"]].append(record(row))
    return kept, dropped


def main() -> None:
    rows = statements()
    apply_adjudication(rows)
    saved = json.loads(SPLITS.read_text(encoding="utf-8")) if SPLITS.is_file() else {}
    earlier = saved.get("deals", [])
    if earlier and "batches" not in saved:
        sys.exit(f"{SPLITS} has deals but no 'batches' map, so the batches read before cannot be told from new "
                 "ones; restore it from git (git checkout data/annotation/splits.json)")
    deals = assign_splits(rows, earlier)
    orders = batch_orders(rows, saved.get("batches", {}), len(earlier))
    if len(deals) == len(earlier) and max(orders.values(), default=-1) == len(earlier):
        deals.append({})  # new batches, but only of messages dealt before: still a run of its own
    SPLITS.write_text(json.dumps({"about": ABOUT_SPLITS, "batches": orders, "deals": deals}, indent=0) + "\n",
                      encoding="utf-8")
    kept, dropped = without_cross_split_repeats(rows, orders)
    for split in SPLIT_ORDER:
        with (ROOT / "data" / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
            for rec in kept[split]:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        print(split, len(kept[split]), dict(Counter(r["label"] for r in kept[split])))
    print("dropped as cross-split duplicates:", dropped)


if __name__ == "__main__":
    main()
