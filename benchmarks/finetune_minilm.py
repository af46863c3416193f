"""How far a fine-tuned small transformer gets on our labels: an experiment, not part of the library.

    pip install -e '.[bench]'
    needswants train data/train.jsonl --dev data/dev.jsonl --C 8 -o /tmp/nw-train-only
    python benchmarks/finetune_minilm.py --model /tmp/nw-train-only   # about 15 min on 2 cores
    python benchmarks/finetune_minilm.py --test --epochs N            # once N is chosen on dev

Fine-tunes all-MiniLM-L6-v2 as the accurate model does (needswants.finetune, with torch: no
int8 export here) on data/train.jsonl alone, and scores it on data/dev.jsonl after each epoch, beside the needswants
model given by ``--model`` (fitted on train alone, as above) and the mean of the two models'
probabilities. With ``--test`` it fits on train + dev instead, with the number of epochs chosen
on dev, and scores once on data/test.jsonl, beside the shipped model (fitted on train + dev too).
Writes benchmarks/out/finetune_minilm.json (or finetune_minilm_test.json).
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from needswants import LABELS  # the column order of predict_proba, which the mean below relies on

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"


def read(split: str) -> list[dict]:
    return [json.loads(line) for line in (ROOT / "data" / f"{split}.jsonl").open(encoding="utf-8")]


def scores(gold: list[str], proba) -> dict:
    from sklearn.metrics import f1_score

    predicted = [LABELS[i] for i in proba.argmax(axis=1)]
    per_label = f1_score(gold, predicted, labels=list(LABELS), average=None)
    return {"macro_f1": round(float(per_label.mean()), 4),
            "f1": {label: round(float(f), 3) for label, f in zip(LABELS, per_label)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None,
                        help="a needswants model folder fitted on data/train.jsonl alone (default with --test: the shipped one)")
    parser.add_argument("--test", action="store_true", help="fit on train + dev, score on test")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=8e-5)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N statements only (a quick try)")
    args = parser.parse_args()
    if args.epochs < 1 or (args.limit is not None and args.limit < 1):
        parser.error("--epochs and --limit must be at least 1")
    if args.model is None and not args.test:
        parser.error("--model is required without --test: the needswants model must be fitted on train alone")

    import needswants
    from needswants.finetune import FineTuneSettings, fine_tune

    train, eval_rows = read("train"), read("dev")
    if args.test:
        train, eval_rows = train + eval_rows, read("test")
    train = train[:args.limit]
    gold = [r["label"] for r in eval_rows]
    eval_texts = [r["text"] for r in eval_rows]
    nw_proba = needswants.load(args.model).predict_proba(eval_texts)
    settings = FineTuneSettings(epochs=args.epochs, lr=args.lr)
    split = "test" if args.test else "dev"
    result = {"fitted_on": "train + dev" if args.test else "train", "scored_on": split, "lr": args.lr,
              "train_statements": len(train), "scored_statements": len(eval_rows), "epochs": [],
              "needswants": scores(gold, nw_proba)}
    start = time.perf_counter()

    def score_epoch(epoch: int, model) -> None:
        if args.test and epoch < args.epochs:
            return  # test is scored once, after the last epoch: nothing is chosen on it
        scoring_start = time.perf_counter()
        proba = model.predict_proba(eval_texts)  # with torch, in batches of 128
        scoring_seconds = time.perf_counter() - scoring_start
        result["epochs"].append({"epoch": epoch, "seconds": round(time.perf_counter() - start),
                                 "statements_per_s": round(len(eval_rows) / scoring_seconds),
                                 "minilm": scores(gold, proba),
                                 "mean_with_needswants": scores(gold, (proba + nw_proba) / 2)})
        print(json.dumps(result["epochs"][-1]), flush=True)

    fine_tune([r["text"] for r in train], [r["label"] for r in train], settings, on_epoch=score_epoch)
    OUT.mkdir(exist_ok=True)
    name = "finetune_minilm_test.json" if args.test else "finetune_minilm.json"
    (OUT / name).write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result["needswants"]))


if __name__ == "__main__":
    main()
