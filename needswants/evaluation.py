"""``evaluate``: per-label P/R/F1, macro-F1, confusion matrix and calibration error on labelled data."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import re

import numpy as np

from .data import Example, read_examples
from .schema import LABELS

CALIBRATION_BINS = 10


def reliability(confidence: np.ndarray, correct: np.ndarray, bins: int = CALIBRATION_BINS) -> list[dict[str, float]]:
    """Per-bin mean confidence, accuracy and count: the points of a reliability diagram."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    points = []
    for b in range(bins):
        mask = which == b
        points.append({"low": float(edges[b]), "high": float(edges[b + 1]), "count": int(mask.sum()),
                       "confidence": float(confidence[mask].mean()) if mask.any() else 0.0,
                       "accuracy": float(correct[mask].mean()) if mask.any() else 0.0})
    return points


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = CALIBRATION_BINS) -> float:
    """ECE of the top label: the mean |accuracy - confidence| over equal-width bins, weighted by size."""
    if len(confidence) == 0:
        return 0.0
    points = reliability(confidence, correct, bins)
    return float(sum(p["count"] * abs(p["accuracy"] - p["confidence"]) for p in points) / len(confidence))


def scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Per-label precision/recall/F1/support, macro-F1, accuracy and confusion matrix."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    p, r, f, s = precision_recall_fscore_support(gold, predicted, labels=list(LABELS), zero_division=0)
    return {
        "per_label": {lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
                      for i, lab in enumerate(LABELS)},
        "macro_f1": float(np.mean(f)),
        "accuracy": float(np.mean([g == q for g, q in zip(gold, predicted)])) if gold else 0.0,
        "confusion": confusion_matrix(gold, predicted, labels=list(LABELS)).tolist(),
    }


@dataclass
class Report:
    """The result of :func:`evaluate`. ``confusion[i][j]``: gold ``labels[i]`` predicted ``labels[j]``."""

    n: int
    per_label: dict[str, dict[str, float]]
    macro_f1: float
    accuracy: float
    confusion: list[list[int]]
    calibration_error: float
    level_accuracy: float | None = None
    target_f1: float | None = None
    reliability: list[dict[str, float]] = field(default_factory=list)
    labels: tuple[str, ...] = LABELS

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n, "labels": list(self.labels), "per_label": self.per_label, "macro_f1": self.macro_f1,
            "accuracy": self.accuracy, "confusion": self.confusion, "calibration_error": self.calibration_error,
            "level_accuracy": self.level_accuracy, "target_f1": self.target_f1, "reliability": self.reliability,
        }

    def __str__(self) -> str:
        lines = [f"{'label':<12} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"]
        for label in self.labels:
            m = self.per_label[label]
            lines.append(f"{label:<12} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} {m['support']:>8d}")
        lines.append(f"macro-F1 {self.macro_f1:.3f}   accuracy {self.accuracy:.3f}   "
                     f"calibration error (ECE) {self.calibration_error:.3f}   n={self.n}")
        if self.level_accuracy is not None:
            lines.append(f"expectation level accuracy (gold expectations) {self.level_accuracy:.3f}")
        if self.target_f1 is not None:
            lines.append(f"target token F1 (statements with a gold target) {self.target_f1:.3f}")
        width = max(len(lab) for lab in self.labels)
        lines.append("confusion (rows gold, columns predicted): " + " ".join(self.labels))
        for label, row in zip(self.labels, self.confusion):
            lines.append(f"  {label:<{width}} " + " ".join(f"{v:>6d}" for v in row))
        return "\n".join(lines)


def evaluate(labeler: Any, data: Union[str, Path, Iterable[Mapping[str, Any]], Sequence[Example]]) -> Report:
    """Score ``labeler`` on labelled statements (a path or records); each text is one statement."""
    examples = list(data) if isinstance(data, Sequence) and data and isinstance(data[0], Example) \
        else read_examples(data)  # type: ignore[arg-type]
    texts = [e.text for e in examples]
    gold = [e.label for e in examples]
    proba = labeler.predict_proba(texts)
    predicted = [LABELS[i] for i in proba.argmax(axis=1)]
    confidence = proba.max(axis=1)
    correct = np.array([g == q for g, q in zip(gold, predicted)], dtype=float)
    level_rows = [i for i, e in enumerate(examples) if e.label == "expectation" and e.level]
    level_accuracy = None
    if level_rows:
        views = labeler._whole_statement_views([texts[i] for i in level_rows])
        levels = labeler.component.classifier.predict_levels(views)
        level_accuracy = float(np.mean([lv == examples[i].level for lv, i in zip(levels, level_rows)]))
    target_f1 = _target_f1(labeler, examples)
    s = scores(gold, predicted)
    return Report(n=len(examples), per_label=s["per_label"], macro_f1=s["macro_f1"], accuracy=s["accuracy"],
                  confusion=s["confusion"], calibration_error=expected_calibration_error(confidence, correct),
                  level_accuracy=level_accuracy, target_f1=target_f1, reliability=reliability(confidence, correct))


def _token_f1(predicted: tuple[int, int] | None, gold: tuple[int, int], text: str) -> float:
    """Overlap F1 of two character spans, counted in the whitespace-separated words they touch."""
    if predicted is None:
        return 0.0
    words = [m.span() for m in re.finditer(r"\S+", text)]

    def touched(span: tuple[int, int]) -> set[int]:
        return {i for i, (start, end) in enumerate(words) if start < span[1] and end > span[0]}

    p, g = touched(predicted), touched(gold)
    common = len(p & g)
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def _target_f1(labeler: Any, examples: Sequence[Example]) -> float | None:
    """Mean token F1 of the predicted target against gold targets (statements that have one)."""
    with_target = [e for e in examples if e.target is not None and e.label != "none"]
    if not with_target or not hasattr(labeler, "pipe"):
        return None
    total = 0.0
    for example, result in zip(with_target, labeler.pipe([e.text for e in with_target])):
        covering = [s for s in result.statements if s.start <= example.target[0] < s.end]
        target = covering[0].target if covering else None
        total += _token_f1((target["start"], target["end"]) if target else None, example.target, example.text)
    return total / len(with_target)
