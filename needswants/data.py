"""Labelled data: reading train/dev/test files (JSONL or CSV) and checking them.

A record: ``{"id", "text", "label", "explicit", "negated", "level", "target", "source", "split"}``
where ``target`` is ``{"start", "end", "text"}`` (offsets into ``text``) or null. Only ``text``
and ``label`` are required to train; the checker (``needswants data check DIR``) holds the
shipped corpus to the full schema.
"""
from __future__ import annotations

import csv
import json
import re
import string
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Union

from .errors import DataError
from .schema import LABELS, LEVELS

SPLITS = ("train", "dev", "test")
FIELDS = ("id", "text", "label", "explicit", "negated", "level", "target", "source", "split")
_PUNCT = re.compile(f"[{re.escape(string.punctuation)}’‘“”…]")


@dataclass(frozen=True)
class Example:
    """One labelled statement."""

    text: str
    label: str
    level: Optional[str] = None
    target: Optional[tuple[int, int]] = None
    explicit: Optional[bool] = None
    negated: Optional[bool] = None
    id: Optional[str] = None
    source: Optional[str] = None

    @property
    def source_kind(self) -> str:
        """The corpus the statement comes from: ``source`` up to the first ":" ("banking77",
        "written"), or "unnamed" when it has none."""
        return (self.source or "unnamed").split(":", 1)[0]


def fold(text: str) -> str:
    """Case and punctuation folded text, for near-duplicate checks."""
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


def _read_rows(path: Path) -> list[tuple[int, Any]]:
    """(row number, raw record) pairs; row numbers count from 1 (CSV: after the header)."""
    if not path.is_file():
        raise DataError(f"{path}: no such file. Give a .jsonl or .csv file of labelled statements.")
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(enumerate(csv.DictReader(fh), 1))
    rows = []
    with path.open(encoding="utf-8-sig") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rows.append((number, json.loads(line)))
            except json.JSONDecodeError as err:
                rows.append((number, err))
    return rows


def _blank(value: Any) -> bool:
    """None, an empty string or a NaN (pandas' missing value) all mean "not given"."""
    return value is None or value == "" or (isinstance(value, float) and value != value)


def _to_bool(value: Any) -> Optional[bool]:
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if str(value).strip().lower() in {"true", "1", "yes"}:
        return True
    if str(value).strip().lower() in {"false", "0", "no"}:
        return False
    raise ValueError(f"{value!r} is not true/false")


def parse_record(raw: Any, where: str) -> tuple[Optional[Example], list[str]]:
    """An Example from one raw record, or the list of problems that stop it."""
    if isinstance(raw, Exception):
        return None, [f"{where}: not valid JSON ({raw}); fix the line or remove it"]
    if not isinstance(raw, Mapping):
        return None, [f"{where}: expected an object with 'text' and 'label', got {type(raw).__name__}"]
    problems = []
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}, field 'text': missing or empty; every statement needs its text")
    label = raw.get("label")
    if label is None or label == "":
        problems.append(f"{where}, field 'label': missing; use one of {', '.join(LABELS)}")
    elif label not in LABELS:
        problems.append(f"{where}, field 'label': {label!r} is not a label; use one of {', '.join(LABELS)}")
    level = None if _blank(raw.get("level")) else raw.get("level")
    if level is not None and level not in LEVELS:
        problems.append(f"{where}, field 'level': {level!r}; use {', '.join(LEVELS)} or leave it empty")
    if level is not None and label != "expectation":
        problems.append(f"{where}, field 'level': only expectations have a level (label is {label!r})")
    target = None if _blank(raw.get("target")) else raw.get("target")
    span = None
    if isinstance(target, str) and target.strip():
        try:
            target = json.loads(target)
        except json.JSONDecodeError:
            problems.append(f"{where}, field 'target': not a JSON object {{\"start\", \"end\"}}")
            target = None
    if isinstance(target, Mapping):
        start, end = target.get("start"), target.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and isinstance(text, str)
                and 0 <= start < end <= len(text)):
            problems.append(f"{where}, field 'target': offsets {start}..{end} are not inside the text")
        elif "text" in target and text[start:end] != target["text"]:
            problems.append(f"{where}, field 'target': text[{start}:{end}] is {text[start:end]!r}, "
                            f"not {target['text']!r}")
        else:
            span = (start, end)
    flags = {}
    for key in ("explicit", "negated"):
        try:
            flags[key] = _to_bool(raw.get(key))
        except ValueError as err:
            problems.append(f"{where}, field {key!r}: {err}")
    if problems:
        return None, problems
    return Example(text=text, label=label, level=level, target=span, id=raw.get("id") or None,
                   source=raw.get("source") or None, **flags), []


def read_examples(source: Union[str, Path, Iterable[Mapping[str, Any]]]) -> list[Example]:
    """Examples from a JSONL/CSV path or from records; raises DataError listing every bad row."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        rows = [(f"{path.name} row {n}", raw) for n, raw in _read_rows(path)]
    else:
        rows = [(f"record {n}", raw) for n, raw in enumerate(source, 1)]
    examples, problems = [], []
    for where, raw in rows:
        example, found = parse_record(raw, where)
        problems += found
        if example is not None:
            examples.append(example)
    if problems:
        raise DataError(f"{len(problems)} problem(s) in the labelled data; fix these rows:", problems)
    if not examples:
        raise DataError("No labelled statements found: the data is empty.")
    return examples


def check_dir(folder: Union[str, Path]) -> dict[str, Any]:
    """Validate a data folder (train/dev/test.jsonl). Returns counts; raises DataError listing problems."""
    folder = Path(folder)
    problems: list[str] = []
    counts: dict[str, Counter] = {}
    folded_in: dict[str, set[str]] = defaultdict(set)
    ids: Counter = Counter()
    for split in SPLITS:
        path = folder / f"{split}.jsonl"
        if not path.is_file():
            problems.append(f"{path}: missing; a data folder holds {', '.join(s + '.jsonl' for s in SPLITS)}")
            continue
        counts[split] = Counter()
        for number, raw in _read_rows(path):
            where = f"{path.name} row {number}"
            example, found = parse_record(raw, where)
            problems += found
            if example is None:
                continue
            missing = [f for f in FIELDS if f not in raw]
            if missing:
                problems.append(f"{where}: missing field(s) {missing}; every record has {list(FIELDS)}")
            unknown = sorted(set(raw) - set(FIELDS))
            if unknown:
                problems.append(f"{where}: unknown field(s) {unknown}; allowed are {list(FIELDS)}")
            if raw.get("split") != split:
                problems.append(f"{where}, field 'split': {raw.get('split')!r} but the row is in {split}.jsonl")
            if not raw.get("source"):
                problems.append(f"{where}, field 'source': empty; say where the text comes from")
            if example.label == "expectation" and split in ("dev", "test") and example.level is None:
                problems.append(f"{where}, field 'level': dev and test expectations carry a level")
            ids[raw.get("id")] += 1
            folded_in[fold(example.text)].add(split)
            counts[split][example.label] += 1
    problems += [f"id {i!r} appears {n} times; ids are unique" for i, n in ids.items() if n > 1]
    shared = [t for t, splits in folded_in.items() if len(splits) > 1]
    problems += [f"text {t!r} appears in more than one split ({sorted(folded_in[t])})" for t in shared]
    if problems:
        raise DataError(f"{len(problems)} problem(s) in {folder}:", problems)
    return {split: dict(c) for split, c in counts.items()}


def label_counts(examples: Sequence[Example]) -> dict[str, int]:
    counted = Counter(e.label for e in examples)
    return {label: counted.get(label, 0) for label in LABELS}
