"""The error catalogue: what went wrong and how to fix it.

Library code raises these; only the CLI turns them into exit codes and one readable line.
Each subclasses the built-in exception a caller would naturally catch.
"""
from __future__ import annotations


class NeedswantsError(Exception):
    """Base class of every error needswants raises on purpose."""


class ModelLoadError(NeedswantsError, ValueError):
    """A model folder is missing, incomplete, untrusted or from an incompatible version."""


class UntrustedModelError(ModelLoadError):
    """A model file holds types outside the trusted list; it is refused, never executed."""


class DataError(NeedswantsError, ValueError):
    """Labelled data (train/dev/test files) is malformed. ``problems`` lists each bad row."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems or [])
        if self.problems:
            shown = "\n".join(f"  - {p}" for p in self.problems[:50])
            more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
            message = f"{message}\n{shown}{more}"
        super().__init__(message)


class SettingsError(NeedswantsError, ValueError):
    """A training setting is out of range or needs another one (a C that is not above 0, a refit
    without dev data); the message names the Python argument and the CLI option."""


class InputError(NeedswantsError, ValueError):
    """A ticket export cannot be read (missing file, unknown column, unknown format)."""


def check_text(text: object) -> str:
    """Return ``text`` if it is a ``str``; raise ``TypeError`` naming the type otherwise."""
    if not isinstance(text, str):
        raise TypeError(
            f"needswants labels text given as str, got {type(text).__name__}: "
            "convert the value with str() or skip it (None is not text)."
        )
    return text
