"""The scikit-learn side: the statement classifier, its level classifier, and safe persistence.

The fitted objects are stored with skops and loaded against an explicit allow-list of types
(:data:`TRUSTED_TYPES`): a file that holds anything else is refused before any of it is built,
so loading a model never runs code from it. Plain pickle and joblib are never used.
"""
from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import skops.io as sio
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from . import features
from .errors import ModelLoadError, UntrustedModelError
from .schema import LABELS, LEVELS

#: Bumped whenever the stored layout or the features change; older files are refused.
FORMAT_VERSION = 1
CLASSIFIER_FILE = "classifier.skops"

#: Every type a needswants model file may hold. Anything else is refused.
TRUSTED_TYPES: tuple[str, ...] = (
    "builtins.dict", "builtins.list", "builtins.tuple", "builtins.str", "builtins.int",
    "builtins.float", "builtins.bool", "builtins.slice", "builtins.type",
    "numpy.dtype", "numpy.ndarray", "numpy.float32", "numpy.float64", "numpy.int64", "numpy.int32",
    "numpy.str_", "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
    "scipy.sparse._csr.csr_matrix",
    "sklearn.feature_extraction.text.HashingVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.frozen._frozen.FrozenEstimator",
    "collections.OrderedDict",
)


class StatementClassifier(BaseEstimator):
    """Calibrated label classifier plus expectation-level classifier over statement views.

    Follows scikit-learn's conventions: ``__init__`` only stores parameters, ``fit`` returns
    ``self`` and sets ``classes_``; prediction checks that the model is fitted.
    """

    def __init__(self, C: float = 4.0, calibration: str = "sigmoid", seed: int = 0) -> None:
        self.C = C
        self.calibration = calibration
        self.seed = seed

    # -- training -------------------------------------------------------------------------
    def fit(self, views: Sequence[Mapping[str, str]], labels: Sequence[str],
            levels: Sequence[str | None]) -> "StatementClassifier":
        unknown = sorted(set(labels) - set(LABELS))
        if unknown:
            raise ValueError(f"unknown labels {unknown}; use one of {list(LABELS)}")
        self.vectorizers_ = features.make_vectorizers()
        X = features.fit_transform(self.vectorizers_, views)
        y = np.array([LABELS.index(lab) for lab in labels])
        base = LogisticRegression(C=self.C, max_iter=5000, random_state=self.seed)
        counts = np.bincount(y, minlength=len(LABELS))
        folds = int(min(5, counts[counts > 0].min()))
        if self.calibration != "none" and folds >= 2:
            self.classifier_ = CalibratedClassifierCV(base, method=self.calibration, cv=folds, ensemble=False)
        else:
            self.classifier_ = base
        self.classifier_.fit(X, y)
        self.classes_ = np.array(LABELS)
        level_rows = [i for i, (lab, lev) in enumerate(zip(labels, levels)) if lab == "expectation" and lev in LEVELS]
        level_y = [levels[i] for i in level_rows]
        if len(set(level_y)) >= 2:
            self.level_classifier_ = LogisticRegression(C=2.0, max_iter=5000, random_state=self.seed)
            self.level_classifier_.fit(X[level_rows], level_y)
        else:
            self.level_classifier_ = None
        return self

    # -- prediction -----------------------------------------------------------------------
    def predict_proba(self, views: Sequence[Mapping[str, str]]) -> np.ndarray:
        """Probabilities (n, 4), columns in :data:`LABELS` order, each row summing to 1."""
        check_is_fitted(self, "classifier_")
        if not views:
            return np.zeros((0, len(LABELS)))
        X = features.transform(self.vectorizers_, views)
        proba = np.zeros((X.shape[0], len(LABELS)))
        proba[:, self.classifier_.classes_] = self.classifier_.predict_proba(X)
        proba = np.clip(proba, 0.0, 1.0)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict_levels(self, views: Sequence[Mapping[str, str]]) -> list[str]:
        """The expectation level of each statement (meaningful for expectations only)."""
        check_is_fitted(self, "classifier_")
        if not views:
            return []
        if self.level_classifier_ is None:
            return ["adequate"] * len(views)
        X = features.transform(self.vectorizers_, views)
        return [str(v) for v in self.level_classifier_.predict(X)]

    # -- persistence ----------------------------------------------------------------------
    def to_disk(self, folder: Path, meta: Mapping[str, Any] | None = None) -> None:
        check_is_fitted(self, "classifier_")
        state = {
            "format_version": FORMAT_VERSION,
            "labels": list(LABELS),
            "params": {"C": self.C, "calibration": self.calibration, "seed": self.seed},
            "vectorizers": dict(self.vectorizers_),
            "classifier": self.classifier_,
            "level_classifier": self.level_classifier_,
        }
        folder.mkdir(parents=True, exist_ok=True)
        sio.dump(state, folder / CLASSIFIER_FILE, compression=zipfile.ZIP_DEFLATED, compresslevel=6)

    @classmethod
    def from_disk(cls, folder: Path) -> "StatementClassifier":
        path = Path(folder) / CLASSIFIER_FILE
        if not path.is_file():
            raise ModelLoadError(
                f"No classifier file at {path}. A needswants model folder holds "
                f"needswants/{CLASSIFIER_FILE}; save one with Labeler.save(DIR) or `needswants train`."
            )
        try:
            untrusted = sio.get_untrusted_types(file=path)
        except Exception as err:  # not a skops file at all
            raise ModelLoadError(
                f"{path} is not a needswants model file ({type(err).__name__}: {err}). "
                "Retrain with `needswants train` or reinstall needswants to restore the shipped model."
            ) from err
        refused = sorted(set(untrusted) - set(TRUSTED_TYPES))
        if refused:
            raise UntrustedModelError(
                f"Refusing to load {path}: it holds types outside needswants' trusted list: {refused}. "
                "Only load model files you made with needswants; retrain with `needswants train`."
            )
        state = sio.load(path, trusted=sorted(set(untrusted)))
        if not isinstance(state, dict) or state.get("format_version") != FORMAT_VERSION:
            found = state.get("format_version") if isinstance(state, dict) else type(state).__name__
            raise ModelLoadError(
                f"{path} was saved in model format {found!r}; this needswants reads format {FORMAT_VERSION}. "
                "Retrain it with this version: `needswants train TRAIN.jsonl --dev DEV.jsonl -o DIR`."
            )
        if tuple(state["labels"]) != LABELS:
            raise ModelLoadError(f"{path} predicts labels {state['labels']}, expected {list(LABELS)}.")
        model = cls(**state["params"])
        model.vectorizers_ = state["vectorizers"]
        model.classifier_ = state["classifier"]
        model.level_classifier_ = state["level_classifier"]
        model.classes_ = np.array(LABELS)
        return model
