"""Where the shipped default model lives, installed or in a source checkout."""
from __future__ import annotations

from pathlib import Path

from .errors import ModelLoadError

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_MODEL_NAME = "default"
#: The models that ship with needswants, by the name ``needswants.load(NAME)`` takes.
SHIPPED_MODELS = ("default", "accurate")


def shipped_model_folder(name: str = DEFAULT_MODEL_NAME) -> Path:
    """The folder of shipped model ``name``: inside the wheel, or ``models/NAME`` in a checkout."""
    if name not in SHIPPED_MODELS:
        raise ModelLoadError(f"needswants ships no model named {name!r}; the shipped models are {list(SHIPPED_MODELS)}.")
    for candidate in (PACKAGE_DIR / "_models" / name, PACKAGE_DIR.parent / "models" / name):
        if (candidate / "config.cfg").is_file():
            return candidate
    raise ModelLoadError(
        f"The shipped needswants model {name!r} is missing from this install. Reinstall needswants "
        "(pip install --force-reinstall needswants), or pass a model folder: needswants.load(DIR)."
    )


def shipped_component_folder() -> Path:
    return shipped_model_folder() / "needswants"
