"""The model card (``card.md``) rendered from the model's meta data."""
from __future__ import annotations

from typing import Any

from .schema import LABELS


def _metrics_table(report: dict[str, Any]) -> str:
    rows = ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for label in LABELS:
        m = report["per_label"][label]
        rows.append(f"| {label} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
    rows.append(f"| **macro** | | | **{report['macro_f1']:.3f}** | {report['n']} |")
    notes = []
    if report.get("calibration_error") is not None:
        notes.append(f"Calibration error (ECE, 10 bins): {report['calibration_error']:.3f}.")
    if report.get("level_accuracy") is not None:
        notes.append(f"Expectation level accuracy (gold expectations): {report['level_accuracy']:.3f}.")
    if report.get("target_f1") is not None:
        notes.append(f"Target word-overlap F1 (statements with a gold target): {report['target_f1']:.3f}.")
    return "\n".join(rows) + "".join(f"\n\n{note}" for note in notes)


#: ``meta["C_chosen_by"]`` of a model trained with a C given by the user
C_GIVEN = "given"


def _encoder_lines(meta: dict[str, Any]) -> list[str]:
    """The accurate model's paragraph: what the transformer is and how its scores are blended."""
    encoder = meta.get("encoder")
    if not encoder:
        return []
    tune, mix = encoder.get("fine_tune", {}), encoder.get("blend", {})
    return [
        f"Blended with a transformer: {encoder.get('base_model')} (PyPI {encoder.get('base_package')}) fine-tuned "
        f"on the same statements for {tune.get('epochs')} epochs (lr {tune.get('lr')}, batch {tune.get('batch_size')}, "
        f"at most {tune.get('max_tokens')} tokens, seed {tune.get('seed')}, torch {encoder.get('torch')}), exported "
        f"to ONNX with {encoder.get('quantized') or 'float32 weights'} and run with onnxruntime. Each statement's "
        f"probabilities are {1 - mix.get('weight', 0.5):g} x the NB-SVM's + {mix.get('weight', 0.5):g} x the "
        f"transformer's, recalibrated by temperature {mix.get('temperature')} (fitted on {mix.get('fitted_on')}). "
        "Levels and targets are the default model's.",
        "",
    ]


def render_card(meta: dict[str, Any]) -> str:
    data = meta.get("data", {})
    parts = [
        "# needswants model card",
        "",
        f"Trained {meta.get('trained_at', '?')} with needswants {meta.get('needswants_version', '?')}, "
        f"seed {meta.get('seed', '?')}, C={meta.get('C', '?')}"
        + (f" ({meta['C_chosen_by']})." if meta.get("C_chosen_by") else "."),
        "",
        f"Classifier: {meta.get('classifier', 'logistic')} over hashed word, lemma, character n-gram, cue and hint "
        "features, temperature-calibrated; targets: "
        + ("a learned B/I/O tagger." if meta.get("target_tagger") else "the words after the cue (rule)."),
        "",
    ]
    parts += _encoder_lines(meta)
    parts += [
        "## Intended use", "", meta.get("intended_use", ""), "",
        "## Limits", "", meta.get("limits", ""), "",
        "## Training data", "",
        f"{data.get('n', '?')} statements, sha256 `{data.get('sha256', '?')}`; per label: "
        + ", ".join(f"{k} {v}" for k, v in data.get("labels", {}).items()) + ".",
        "",
    ]
    if meta.get("refit_on_dev"):
        given = meta.get("C_chosen_by") == C_GIVEN
        how = "C was given" if given else "C was chosen on dev with a model fitted on train"
        parts += [f"{how}; the model was then fitted on train and dev together. The dev scores "
                  "below are those of the model fitted on train alone, the test scores those of this model.", ""]
    for split in ("dev", "test"):
        if meta.get(split):
            parts += [f"## Scores on {split}", "", _metrics_table(meta[split]), ""]
    if meta.get("nbsvm_test"):
        parts += ["## The NB-SVM alone (the default model) on test", "", _metrics_table(meta["nbsvm_test"]), ""]
    if meta.get("baseline_test"):
        parts += ["## Keyword baseline on test", "", _metrics_table(meta["baseline_test"]), ""]
    parts += ["## Library versions", ""] + [f"- {k}: {v}" for k, v in meta.get("versions", {}).items()]
    return "\n".join(parts) + "\n"
