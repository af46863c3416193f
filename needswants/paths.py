"""Where the shipped default model lives, installed or in a source checkout."""
from __future__ import annotations

from pathlib import Path

from .errors import ModelLoadError

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_MODEL_NAME = "default"


def shipped_model_folder() -> Path:
    """The shipped model folder: inside the wheel, or ``models/default`` in a checkout."""
    for candidate in (PACKAGE_DIR / "_models" / DEFAULT_MODEL_NAME,
                      PACKAGE_DIR.parent / "models" / DEFAULT_MODEL_NAME):
        if (candidate / "config.cfg").is_file():
            return candidate
    raise ModelLoadError(
        "The shipped needswants model is missing from this install. Reinstall needswants "
        "(pip install --force-reinstall needswants), or pass a model folder: needswants.load(DIR)."
    )


def shipped_component_folder() -> Path:
    return shipped_model_folder() / "needswants"
