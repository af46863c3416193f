"""The statement classifier, its expectation-level classifier, and their safe file format.

Training uses scikit-learn: a class-balanced NB-SVM (``nbsvm.py``: one-vs-rest logistic regressions
over naive-Bayes-scaled features; ``method="logistic"`` gives a multinomial ``LogisticRegression``)
whose probabilities are calibrated by temperature scaling (one number dividing the scores, fitted on out-of-fold
scores from 5-fold cross-validation, so it never changes which label wins), plus a logistic
level classifier for expectations. The fitted numbers are then kept as plain arrays, so labelling needs only
numpy and scipy (fast to import), and the model is stored as ``classifier.json`` (settings)
plus ``classifier.npz`` (numeric arrays only, read with ``allow_pickle=False``): loading a
model can never run code from it. A file with other arrays, other dtypes or another
format version is refused with a message that says what to do.
"""
from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelLoadError, UntrustedModelError
from .features import Featurizer
from .schema import LABELS, LEVELS

#: Bumped whenever the stored layout or the features change; older files are refused.
FORMAT_VERSION = 4
SETTINGS_FILE = "classifier.json"
ARRAYS_FILE = "classifier.npz"

#: The arrays a model file holds, and the dtype kind each may have (f: float, i: integer).
TRUSTED_ARRAYS: dict[str, str] = {
    "idf": "f", "coef": "f", "intercept": "f", "temperature": "f",
    "classes": "i", "level_coef": "f", "level_intercept": "f", "level_classes": "i",
}


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """The temperature T minimising the log-loss of softmax(scores / T) against ``y``."""
    from scipy.optimize import minimize_scalar

    def nll(log_t: float) -> float:
        proba = _softmax(scores / np.exp(log_t))
        return float(-np.mean(np.log(np.clip(proba[np.arange(len(y)), y], 1e-12, None))))

    return float(np.exp(minimize_scalar(nll, bounds=(-3.0, 3.0), method="bounded").x))


class StatementClassifier:
    """Calibrated label classifier plus expectation-level classifier over statement views.

    ``__init__`` only stores parameters; ``fit`` returns ``self`` and sets ``classes_``.
    """

    def __init__(self, C: float = 4.0, calibration: str = "temperature", class_weight: str | None = "balanced",
                 seed: int = 0, method: str = "nbsvm") -> None:
        self.C = C
        self.method = method
        self.class_weight = class_weight
        self.calibration = calibration
        self.seed = seed

    # -- training -------------------------------------------------------------------------
    def fit(self, views: Sequence[Mapping[str, Sequence[str]]], labels: Sequence[str],
            levels: Sequence[str | None]) -> "StatementClassifier":
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        unknown = sorted(set(labels) - set(LABELS))
        if unknown:
            raise ValueError(f"unknown labels {unknown}; use one of {list(LABELS)}")
        if len(set(labels)) < 2:
            raise ValueError("training needs statements of at least two labels")
        self.featurizer_ = Featurizer()
        X_all = self.featurizer_.fit_transform(views)
        # only columns seen in training can get a weight; fitting on them alone gives the same
        # solution (the L2 penalty keeps unseen weights at 0) and is many times faster
        used = np.unique(X_all.indices)
        X = X_all[:, used]
        y = np.array([LABELS.index(lab) for lab in labels])
        base = self._base_estimator()
        counts = np.bincount(y, minlength=len(LABELS))
        folds = int(min(5, counts[counts > 0].min()))
        self.temperature_ = np.ones(1)
        if self.calibration == "temperature" and folds >= 2:
            splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self.seed)
            out_of_fold = cross_val_predict(base, X, y, cv=splitter, method="decision_function")
            if out_of_fold.ndim == 1:  # two labels: scores of the second, against 0 for the first
                out_of_fold = np.column_stack([np.zeros_like(out_of_fold), out_of_fold])
            present = np.unique(y)
            self.temperature_ = np.array([fit_temperature(out_of_fold, np.searchsorted(present, y))])
        elif self.calibration not in ("temperature", "none"):
            raise ValueError(f"calibration must be 'temperature' or 'none', got {self.calibration!r}")
        fitted = base.fit(X, y)
        self._set_linear(fitted, used)
        self.classes_ = np.array(LABELS)
        rows = [i for i, (lab, lev) in enumerate(zip(labels, levels)) if lab == "expectation" and lev in LEVELS]
        level_y = np.array([LEVELS.index(levels[i]) for i in rows])
        if len(set(level_y.tolist())) >= 2:
            level = LogisticRegression(C=2.0, max_iter=5000, random_state=self.seed).fit(X[rows], level_y)
            self.level_coef_, self.level_intercept_ = self._as_multiclass(level, used)
            self.level_classes_ = level.classes_.astype(np.int64)
        else:
            fallback = LEVELS.index("adequate") if len(level_y) == 0 else int(level_y[0])
            self.level_coef_ = np.zeros((1, X_all.shape[1]), dtype=np.float32)
            self.level_intercept_ = np.zeros(1)
            self.level_classes_ = np.array([fallback], dtype=np.int64)
        return self

    def _base_estimator(self) -> Any:
        from sklearn.linear_model import LogisticRegression

        if self.method == "nbsvm":
            from .nbsvm import NBSVMClassifier

            return NBSVMClassifier(C=self.C, class_weight=self.class_weight, random_state=self.seed)
        if self.method == "logistic":
            return LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=5000, random_state=self.seed)
        raise ValueError(f"method must be 'nbsvm' or 'logistic', got {self.method!r}")

    def _as_multiclass(self, estimator: Any, used: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weights over all hashed columns (zero where training saw nothing), one row per class."""
        coef, intercept = estimator.coef_, estimator.intercept_
        if coef.shape[0] == 1:  # binary: scikit-learn keeps one row (the second class's score)
            coef = np.vstack([np.zeros_like(coef), coef])
            intercept = np.concatenate([np.zeros_like(intercept), intercept])
        full = np.zeros((coef.shape[0], self.featurizer_.n_features), dtype=np.float32)
        full[:, used] = coef
        return full, intercept.astype(np.float64)

    def _set_linear(self, estimator: Any, used: np.ndarray) -> None:
        self.coef_, self.intercept_ = self._as_multiclass(estimator, used)
        self.label_classes_ = estimator.classes_.astype(np.int64)

    # -- prediction -----------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise RuntimeError("This StatementClassifier is not fitted yet; call fit() or load a model.")

    def predict(self, views: Sequence[Mapping[str, Sequence[str]]],
                adjust: Callable[[np.ndarray], np.ndarray] | None = None) -> tuple[np.ndarray, list[str | None]]:
        """Probabilities (n, 4) in :data:`LABELS` order, and the level of each statement whose
        most likely label is ``expectation`` (None for the others). Features are computed once.
        ``adjust`` maps the probabilities to those that count (the accurate model's blend) before
        the levels are chosen."""
        self._check_fitted()
        proba = np.zeros((len(views), len(LABELS)))
        if not views:
            return proba, []
        X = self.featurizer_.transform(views)
        proba[:, self.label_classes_] = self._label_proba(X)
        if adjust is not None:
            proba = adjust(proba)
        expectation = np.flatnonzero(proba.argmax(axis=1) == LABELS.index("expectation"))
        levels: list[str | None] = [None] * len(views)
        for row, level in zip(expectation, self._levels(X[expectation])):
            levels[row] = level
        return proba, levels

    def predict_proba(self, views: Sequence[Mapping[str, Sequence[str]]]) -> np.ndarray:
        """Probabilities (n, 4), columns in :data:`LABELS` order, each row summing to 1."""
        return self.predict(views)[0]

    def predict_levels(self, views: Sequence[Mapping[str, Sequence[str]]]) -> list[str]:
        """The expectation level of each statement, whatever its label."""
        self._check_fitted()
        return self._levels(self.featurizer_.transform(views)) if views else []

    def _transposed(self, name: str) -> np.ndarray:
        """The weights ``getattr(self, name).T`` in C order, copied once: scipy would copy the
        transposed view on every sparse product. Same numbers, so the same scores."""
        weights = getattr(self, name)
        cached = self._transposed_weights.get(name)
        if cached is None or cached[0] is not weights:
            cached = self._transposed_weights[name] = (weights, np.ascontiguousarray(weights.T))
        return cached[1]

    @property
    def _transposed_weights(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        return self.__dict__.setdefault("_transposed_cache", {})

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_transposed_cache", None)  # rebuilt on first use
        return state

    def _label_proba(self, X: Any) -> np.ndarray:
        scores = np.asarray(X @ self._transposed("coef_"), dtype=np.float64) + self.intercept_
        return _softmax(scores / self.temperature_[0])

    def _levels(self, X: Any) -> list[str]:
        if X.shape[0] == 0:
            return []
        if len(self.level_classes_) == 1:
            return [LEVELS[int(self.level_classes_[0])]] * X.shape[0]
        scores = np.asarray(X @ self._transposed("level_coef_")) + self.level_intercept_
        return [LEVELS[int(self.level_classes_[i])] for i in scores.argmax(axis=1)]

    # -- persistence ----------------------------------------------------------------------
    def to_disk(self, folder: Path) -> None:
        self._check_fitted()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        settings = {
            "format_version": FORMAT_VERSION,
            "labels": list(LABELS),
            "levels": list(LEVELS),
            "params": {"C": self.C, "calibration": self.calibration, "class_weight": self.class_weight,
                       "seed": self.seed, "method": self.method},
            "features": self.featurizer_.get_state(),
        }
        (folder / SETTINGS_FILE).write_text(json.dumps(settings, indent=2), encoding="utf-8")
        np.savez_compressed(
            folder / ARRAYS_FILE, idf=self.featurizer_.idf_, coef=self.coef_, intercept=self.intercept_,
            temperature=self.temperature_, classes=self.label_classes_,
            level_coef=self.level_coef_, level_intercept=self.level_intercept_, level_classes=self.level_classes_,
        )

    @classmethod
    def from_disk(cls, folder: Path) -> "StatementClassifier":
        folder = Path(folder)
        settings_path, arrays_path = folder / SETTINGS_FILE, folder / ARRAYS_FILE
        if not settings_path.is_file() or not arrays_path.is_file():
            raise ModelLoadError(
                f"{folder} holds no needswants classifier ({SETTINGS_FILE} and {ARRAYS_FILE}). "
                "Save one with Labeler.save(DIR) or `needswants train`."
            )
        try:
            settings = json.loads(settings_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ModelLoadError(f"{settings_path} is not valid JSON ({err}); retrain the model.") from err
        found = settings.get("format_version") if isinstance(settings, dict) else None
        if found != FORMAT_VERSION:
            raise ModelLoadError(
                f"{folder} was saved in model format {found!r}; this needswants reads format {FORMAT_VERSION}. "
                "Retrain it with this version: needswants train TRAIN.jsonl --dev DEV.jsonl -o DIR"
            )
        if settings.get("labels") != list(LABELS) or settings.get("levels") != list(LEVELS):
            raise ModelLoadError(f"{settings_path} is for labels {settings.get('labels')}, expected {list(LABELS)}.")
        featurizer = Featurizer()
        if not featurizer.check_state(settings.get("features", {})):
            raise ModelLoadError(f"{folder} was trained with other feature settings; retrain it with this version.")
        arrays = read_trusted_arrays(arrays_path, TRUSTED_ARRAYS)
        model = cls(**settings["params"])
        featurizer.idf_ = arrays["idf"]
        model.featurizer_ = featurizer
        model.coef_, model.intercept_ = arrays["coef"], arrays["intercept"]
        model.temperature_ = arrays["temperature"]
        model.label_classes_ = arrays["classes"]
        model.level_coef_, model.level_intercept_ = arrays["level_coef"], arrays["level_intercept"]
        model.level_classes_ = arrays["level_classes"]
        model.classes_ = np.array(LABELS)
        if model.coef_.shape != (len(model.label_classes_), featurizer.n_features) or featurizer.idf_.shape != (
                featurizer.n_features,):
            raise ModelLoadError(f"{arrays_path} has arrays of the wrong shape; retrain the model.")
        return model


def read_trusted_arrays(path: Path, trusted: Mapping[str, str]) -> dict[str, np.ndarray]:
    """The arrays of a ``.npz`` file, refused unless it holds exactly the ``trusted`` names (name ->
    dtype kind) as plain numbers: ``allow_pickle=False`` means loading can never run code."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            names = set(stored.files)
            unexpected = sorted(names - set(trusted))
            missing = sorted(set(trusted) - names)
            if unexpected or missing:
                raise UntrustedModelError(
                    f"Refusing to load {path}: unexpected arrays {unexpected}, missing {missing}. "
                    "Only load model files made by needswants; retrain with `needswants train`."
                )
            arrays = {name: stored[name] for name in trusted}
    except UntrustedModelError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as err:
        # allow_pickle=False makes numpy refuse object arrays (pickles) with a ValueError
        raise UntrustedModelError(
            f"Refusing to load {path}: it is not a plain numeric array file ({err}). "
            "Only load model files made by needswants; retrain with `needswants train`."
        ) from err
    for name, kind in trusted.items():
        if arrays[name].dtype.kind != kind:
            raise UntrustedModelError(
                f"Refusing to load {path}: array {name!r} has dtype {arrays[name].dtype}, expected kind {kind!r}."
            )
    return arrays
