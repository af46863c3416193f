"""The fine-tuned transformer of the ``accurate`` model, run with onnxruntime (no torch).

A model folder whose component holds an ``encoder/`` folder (``model.onnx``, ``tokenizer.json``,
``encoder.json``) labels each statement with the mean of two probability rows: the NB-SVM's and
this encoder's, sharpened or softened by one temperature fitted on dev (so the mean stays
calibrated). Made by :mod:`needswants.finetune`; needs the ``[accurate]`` extra to run.
The ONNX file holds only the network's graph and weights: loading it runs no Python code.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelLoadError
from .schema import LABELS

ENCODER_FORMAT = 1
ENCODER_FOLDER = "encoder"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
SETTINGS_FILE = "encoder.json"


def holds_encoder(component_folder: Path) -> bool:
    return (Path(component_folder) / ENCODER_FOLDER / SETTINGS_FILE).is_file()


def remove_encoder(component_folder: Path) -> None:
    """Delete the encoder of an older model saved in ``component_folder``, if it has one."""
    folder = Path(component_folder) / ENCODER_FOLDER
    if folder.is_dir():
        shutil.rmtree(folder)


def _runtime() -> tuple[Any, Any]:
    try:
        import onnxruntime
        import tokenizers
    except ImportError as err:
        raise ModelLoadError(
            "This model has a transformer encoder, which runs with onnxruntime and tokenizers: "
            f"pip install 'needswants[accurate]'. ({err})"
        ) from err
    return onnxruntime, tokenizers


class Encoder:
    """Label probabilities of statements from the exported transformer, in :data:`LABELS` order."""

    def __init__(self, folder: Path) -> None:
        _runtime()  # fail at load, not at the first statement, when the [accurate] extra is missing
        folder = Path(folder)
        path = folder / SETTINGS_FILE
        try:
            self.settings = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ModelLoadError(f"{path} cannot be read as JSON ({err}); rebuild the model.") from err
        if self.settings.get("format_version") != ENCODER_FORMAT or self.settings.get("labels") != list(LABELS):
            raise ModelLoadError(
                f"{path} is encoder format {self.settings.get('format_version')!r} for labels "
                f"{self.settings.get('labels')}; this needswants reads format {ENCODER_FORMAT} for {list(LABELS)}. "
                "Rebuild the model with this version (models/train_accurate.py)."
            )
        for name in (MODEL_FILE, TOKENIZER_FILE):
            if not (folder / name).is_file():
                raise ModelLoadError(f"{folder} has no {name}; rebuild the model (models/train_accurate.py).")
        # held in memory, so the model works on whatever happens to its folder (save(replace=True) swaps it)
        self._model_bytes = (folder / MODEL_FILE).read_bytes()
        tokenizer_bytes = (folder / TOKENIZER_FILE).read_bytes()
        for name, held, key in ((MODEL_FILE, self._model_bytes, "model_sha256"),
                                (TOKENIZER_FILE, tokenizer_bytes, "tokenizer_sha256")):
            if hashlib.sha256(held).hexdigest() != self.settings.get(key):
                raise ModelLoadError(f"{folder / name} does not match the sha256 in {path}: the file was changed "
                                     "or cut short. Reinstall needswants, or rebuild the model (models/train_accurate.py).")
        try:
            self._tokenizer_json = tokenizer_bytes.decode("utf-8")
        except UnicodeDecodeError as err:
            raise ModelLoadError(f"{folder / TOKENIZER_FILE} is not UTF-8 ({err}); rebuild the model.") from err
        self._session: Any = None
        self._tokenizer: Any = None

    def with_blend(self, blend: dict[str, Any]) -> "Encoder":
        """A copy that blends with the classifier as ``blend`` says (``weight``, ``temperature``)."""
        if not (0.0 <= float(blend["weight"]) <= 1.0 and float(blend["temperature"]) > 0):
            raise ValueError(f"blend weight must lie in [0, 1] and temperature above 0, got {blend}")
        copy = object.__new__(Encoder)
        copy.__dict__.update(self.__getstate__(), settings=dict(self.settings, blend=dict(blend)))
        return copy

    def to_disk(self, folder: Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MODEL_FILE).write_bytes(self._model_bytes)
        (folder / TOKENIZER_FILE).write_bytes(self._tokenizer_json.encode("utf-8"))  # as hashed: no newline changes
        (folder / SETTINGS_FILE).write_text(json.dumps(self.settings, indent=2), encoding="utf-8")

    @property
    def blend(self) -> dict[str, float]:
        """How the two models' rows are put together: ``weight`` of this encoder, ``temperature``."""
        saved = {"weight": 0.5, "temperature": 1.0, **self.settings.get("blend", {})}
        return {key: float(saved[key]) for key in ("weight", "temperature")}

    def _open(self) -> None:
        onnxruntime, tokenizers = _runtime()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = int(os.environ.get("NEEDSWANTS_ENCODER_THREADS", 0)) or (os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(self._model_bytes, options, providers=["CPUExecutionProvider"])
        tokenizer = tokenizers.Tokenizer.from_str(self._tokenizer_json)
        tokenizer.enable_truncation(max_length=int(self.settings["max_tokens"]))
        tokenizer.no_padding()  # each statement is run alone, as it is
        self._tokenizer = tokenizer

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities (n, 4) of the statements ``texts``, each row summing to 1. Each statement
        is run on its own: int8 layers scale their inputs by the range of the whole batch, so in a
        batch a statement's scores would depend on its neighbours (and on padding); alone, they are
        the same however the statements are batched, at about a tenth of the speed lost."""
        if self._session is None:
            self._open()
        logits = np.zeros((len(texts), len(LABELS)))
        for row, encoded in enumerate(self._tokenizer.encode_batch(list(texts))):
            feeds = {"input_ids": np.array([encoded.ids], dtype=np.int64),
                     "attention_mask": np.array([encoded.attention_mask], dtype=np.int64)}
            logits[row] = self._session.run(["logits"], feeds)[0][0]
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)

    def fuse(self, proba: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """The blended probabilities of rows ``proba`` (from the NB-SVM) and this encoder's for ``texts``."""
        if len(texts) == 0:
            return proba
        return blend(proba, self.predict_proba(texts), **self.blend)

    def __getstate__(self) -> dict[str, Any]:  # worker processes open their own session
        return dict(self.__dict__, _session=None, _tokenizer=None)


def blend(nbsvm: np.ndarray, encoder: np.ndarray, weight: float = 0.5, temperature: float = 1.0) -> np.ndarray:
    """``(1 - weight) * nbsvm + weight * encoder``, raised to ``1 / temperature`` and normalised:
    the temperature recalibrates the mean without changing which label wins."""
    mean = (1.0 - weight) * nbsvm + weight * encoder
    scaled = np.power(np.clip(mean, 1e-12, None), 1.0 / temperature)
    return scaled / scaled.sum(axis=1, keepdims=True)


def fit_blend_temperature(nbsvm: np.ndarray, encoder: np.ndarray, y: np.ndarray, weight: float = 0.5) -> float:
    """The temperature that minimises the log-loss of :func:`blend` against label indices ``y``."""
    from .model import fit_temperature

    return fit_temperature(np.log(np.clip((1.0 - weight) * nbsvm + weight * encoder, 1e-12, None)), y)
