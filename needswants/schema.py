"""The output data: ``Statement`` and ``Result`` (frozen dataclasses), the label set, the JSON Schema."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

LABELS: tuple[str, ...] = ("expectation", "want", "need", "none")
LEVELS: tuple[str, ...] = ("desired", "adequate", "predicted")


@dataclass(frozen=True)
class Statement:
    """One statement of a text: its span, label, calibrated scores and attributes.

    ``text == result.text[start:end]`` always holds. ``target`` and ``cue`` are
    ``{"text", "start", "end"}`` dicts with offsets into the whole text, or ``None``.
    """

    text: str
    start: int
    end: int
    label: str
    confidence: float
    scores: dict[str, float]
    explicit: bool
    negated: bool
    level: str | None
    target: dict[str, Any] | None
    cue: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Result:
    """The labelled statements of one text, in text order."""

    text: str
    statements: tuple[Statement, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "statements": [s.to_dict() for s in self.statements]}

    def to_json(self, **kwargs: Any) -> str:
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(), **kwargs)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Result":
        return cls(text=data["text"], statements=tuple(Statement(**s) for s in data["statements"]))


_SPAN = {
    "oneOf": [
        {"type": "null"},
        {
            "type": "object",
            "required": ["text", "start", "end"],
            "additionalProperties": False,
            "properties": {
                "text": {"type": "string"},
                "start": {"type": "integer", "minimum": 0},
                "end": {"type": "integer", "minimum": 0},
            },
        },
    ]
}

#: JSON Schema (draft 2020-12) of ``Result.to_dict()``.
RESULT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "needswants result",
    "type": "object",
    "required": ["text", "statements"],
    "additionalProperties": False,
    "properties": {
        "text": {"type": "string"},
        "statements": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "text", "start", "end", "label", "confidence", "scores",
                    "explicit", "negated", "level", "target", "cue",
                ],
                "properties": {
                    "text": {"type": "string"},
                    "start": {"type": "integer", "minimum": 0},
                    "end": {"type": "integer", "minimum": 0},
                    "label": {"enum": list(LABELS)},
                    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                    "scores": {
                        "type": "object",
                        "required": list(LABELS),
                        "additionalProperties": False,
                        "properties": {lab: {"type": "number", "minimum": 0, "maximum": 1} for lab in LABELS},
                    },
                    "explicit": {"type": "boolean"},
                    "negated": {"type": "boolean"},
                    "level": {"enum": [*LEVELS, None]},
                    "target": _SPAN,
                    "cue": _SPAN,
                },
            },
        },
    },
}
