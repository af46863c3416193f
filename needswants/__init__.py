"""needswants: tag customer statements as expectation, want, need or none.

    >>> import needswants
    >>> nw = needswants.load()
    >>> result = nw("My charger died, so I need a new one by Friday.")
"""
from __future__ import annotations

from importlib import metadata as _metadata

from .errors import DataError, ModelLoadError, NeedswantsError, SettingsError, UntrustedModelError
from .evaluation import Report, evaluate
from .labeler import Labeler, load
from .schema import LABELS, LEVELS, RESULT_SCHEMA, Result, Statement
from .training import train

try:
    __version__ = _metadata.version("needswants")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"


__all__ = [
    "LABELS", "LEVELS", "RESULT_SCHEMA", "DataError", "Labeler", "ModelLoadError", "NeedswantsError",
    "Report", "Result", "SettingsError", "Statement", "UntrustedModelError", "__version__", "evaluate", "load", "train",
]
