"""Build the shipped ``accurate`` model in models/accurate from data/ and models/default (run from the repository root).

    pip install -e '.[finetune]'
    python models/train_accurate.py            # about 70 min on 2 cores

The accurate model is the default model (its spaCy pipeline, NB-SVM and target tagger, unchanged)
plus a fine-tuned all-MiniLM-L6-v2 (see needswants/finetune.py), exported to ONNX with int8
weights; each statement's probabilities are the mean of the two models', recalibrated by one
temperature. The steps keep the default model's rule that nothing is chosen on test:

1. fine-tune on data/train.jsonl alone; fit the temperature of the mean on data/dev.jsonl, against
   an NB-SVM fitted on train alone with the default model's C; those dev scores go in the card;
2. fine-tune again on train and dev together, with the same settings (5 epochs and int8 weights with one
   scale per output channel were chosen on dev, see the README), and put it beside the shipped NB-SVM
   with that temperature;
3. score the finished model once on data/test.jsonl.

Fine-tuned encoders are kept in --work, so a run that stopped goes on from the last finished step.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

import needswants
from needswants.card import render_card
from needswants.data import read_examples
from needswants.encoder import Encoder, fit_blend_temperature
from needswants.finetune import FineTuneSettings, fine_tune

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "models" / "default"
OUT = ROOT / "models" / "accurate"
WEIGHT = 0.5  # the plain mean: the only weight tried on dev


def encoder_fitted_on(examples: list, folder: Path, settings: FineTuneSettings) -> Encoder:
    if not (folder / "encoder.json").is_file():
        fine_tune([e.text for e in examples], [e.label for e in examples], settings).export(folder)
    return Encoder(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/needswants-accurate5"),
                        help="where the fine-tuned encoders are kept between runs")
    args = parser.parse_args()
    settings = FineTuneSettings()
    train, dev, test = (read_examples(ROOT / "data" / f"{split}.jsonl") for split in ("train", "dev", "test"))

    train_only = encoder_fitted_on(train, args.work / "train_only", settings)
    final = encoder_fitted_on(train + dev, args.work / "train_and_dev", settings)

    # 1. fitted on train alone: the temperature, and the dev scores
    default = needswants.load(DEFAULT, freeze_gc=False)
    C = default.meta["C"]
    nbsvm_train_only = needswants.train(ROOT / "data" / "train.jsonl", C=C, seed=0)
    dev_texts, dev_gold = [e.text for e in dev], np.array([needswants.LABELS.index(e.label) for e in dev])
    temperature = fit_blend_temperature(nbsvm_train_only.predict_proba(dev_texts),
                                        train_only.predict_proba(dev_texts), dev_gold, WEIGHT)
    blend = {"weight": WEIGHT, "temperature": round(temperature, 4),
             "fitted_on": "dev, the NB-SVM and the encoder fitted on train alone"}
    nbsvm_train_only.component.set_encoder(train_only.with_blend(blend))
    dev_report = needswants.evaluate(nbsvm_train_only, dev).to_dict()

    # 2. fitted on train and dev, beside the shipped NB-SVM
    default.component.set_encoder(final.with_blend(blend))
    meta = default.nlp.meta["needswants"]
    meta.update(
        model="accurate",
        limits=meta["limits"].rstrip(".") + "; it runs a transformer for every statement, so it labels about a tenth "
               "as fast as the default model and needs the [accurate] extra (onnxruntime, tokenizers).",
        dev=dev_report, nbsvm_dev=meta["dev"], nbsvm_test=meta["test"],
        encoder={key: final.settings[key] for key in ("base_model", "base_package", "quantized", "fine_tune",
                                                      "torch")} | {"blend": blend},
    )
    # 3. scored once on test
    meta["test"] = needswants.evaluate(default, test).to_dict()
    default.save(OUT, replace=OUT.exists())
    (OUT / "card.md").write_text(render_card(meta), encoding="utf-8")
    print(json.dumps({"temperature": blend["temperature"], "dev": dev_report["macro_f1"],
                      "test": meta["test"]["macro_f1"], "nbsvm_test": meta["nbsvm_test"]["macro_f1"]}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
