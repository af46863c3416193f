"""Batch-labelling a ticket export: read, clean, label, write, with nothing lost.

Every input row gives exactly one output record, in input order: its statements, or an
``error`` naming what is wrong with that row. ``resume=True`` continues an output left by a
killed run; an existing output is never overwritten without ``force=True``.
"""
from __future__ import annotations

import collections
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from .clean import CleanText, clean_ticket
from .errors import InputError
from .io import readers, writers
from .labeler import Labeler, remap_statement
from .schema import LABELS, Result

OUTPUT_FORMATS = ("jsonl", "csv", "parquet")
DEFAULT_MAX_CHARS = 1_000_000


@dataclass
class Summary:
    rows: int = 0
    labelled: int = 0
    errors: int = 0
    skipped: int = 0  # rows already in the output when resuming
    statements: dict[str, int] = field(default_factory=lambda: {label: 0 for label in LABELS})

    def __str__(self) -> str:
        per_label = ", ".join(f"{k} {v}" for k, v in self.statements.items())
        resumed = f" ({self.skipped} already done, resumed)" if self.skipped else ""
        return (f"{self.rows} rows read{resumed}: {self.labelled} labelled, {self.errors} with errors; "
                f"statements: {per_label}")


def output_format(output: Path, fmt: Optional[str]) -> str:
    if fmt is not None:
        if fmt not in OUTPUT_FORMATS:
            raise InputError(f"Unknown output format {fmt!r}; use one of {', '.join(OUTPUT_FORMATS)}.")
        return fmt
    suffix = output.suffix.lower().lstrip(".")
    if suffix in OUTPUT_FORMATS:
        return suffix
    raise InputError(f"Cannot tell the output format from {output.name!r}; name it .jsonl, .csv or .parquet, "
                     "or give --format.")


def _text_of(record: dict[str, Any], columns: Sequence[str], max_chars: int) -> tuple[Optional[str], Optional[str]]:
    parts = []
    for column in columns:
        value = readers.get_path(record, column) if readers.has_path(record, column) else None
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if isinstance(value, (dict, list)):
            return None, f"column {column!r} holds a {type(value).__name__}, not text; point --text-column at a field inside it"
        value = value if isinstance(value, str) else str(value)
        if value.strip():
            parts.append(value)
    if not parts:
        named = " + ".join(repr(c) for c in columns)
        return None, f"no text in column {named}; the row was kept with this error"
    text = "\n\n".join(parts)
    if len(text) > max_chars:
        return None, f"text has {len(text)} characters, over the limit of {max_chars}; split it or raise --max-chars"
    return text, None


def _check_columns(row: readers.InputRow, columns: Sequence[str], id_column: Optional[str]) -> None:
    """Fail early, naming the columns that exist, when a column is unknown."""
    assert row.record is not None
    wanted = list(columns) + ([id_column] if id_column else [])
    missing = [c for c in wanted if not readers.has_path(row.record, c)]
    if missing:
        existing = ", ".join(readers.column_names(row.record)) or "(none)"
        raise InputError(f"Unknown column {missing[0]!r}; the input has: {existing}. "
                         "Choose one with --text-column / --id-column.")


def label_export(
    labeler: Labeler,
    input_path: str,
    output: Path,
    *,
    text_columns: Sequence[str] = ("text",),
    id_column: Optional[str] = None,
    keep_columns: bool = False,
    fmt: Optional[str] = None,
    input_format: Optional[str] = None,
    encoding: str = "utf-8-sig",
    n_process: int = 1,
    batch_size: int = 256,
    resume: bool = False,
    force: bool = False,
    clean: bool = True,
    max_chars: int = DEFAULT_MAX_CHARS,
    on_row: Optional[Callable[[], None]] = None,
    rows: Optional[Iterable[readers.InputRow]] = None,
) -> Summary:
    """Label every row of ``input_path`` into ``output``; returns the run's :class:`Summary`.

    ``rows`` replaces reading ``input_path`` (a part of a larger export, as a Dask task reads it);
    ``input_path`` is then not read."""
    output = Path(output)
    fmt = output_format(output, fmt)
    if resume and force:
        raise InputError("Give --resume or --force, not both.")
    written_to = writers.partial_path(output) if fmt == "parquet" else output  # Parquet is written as JSONL first
    if output.exists() and not resume and not force:
        raise InputError(f"{output} exists; add --force to overwrite it or --resume to finish it.")
    if fmt == "parquet" and resume and output.exists() and not written_to.exists():
        raise InputError(f"{output} is already complete; nothing to resume.")
    stream_format = "csv" if fmt == "csv" else "jsonl"  # the format appended to while labelling
    done = writers.records_done(written_to, stream_format) if resume else 0
    rows = iter(rows) if rows is not None else readers.read_rows(input_path, input_format, encoding)
    summary = Summary()
    first = _first_good(rows)
    if first.peek is not None:
        _check_columns(first.peek, text_columns, id_column)
    extra_columns: tuple[str, ...] = ()
    if keep_columns and first.peek is not None and fmt == "csv":
        used = set(text_columns) | {id_column}
        extra_columns = tuple(c for c in first.peek.record if c not in used)  # type: ignore[union-attr]
    writer = writers.open_writer(written_to, stream_format, append=resume and done > 0,
                                 extra_columns=extra_columns)
    pending: collections.deque[tuple[readers.InputRow, Optional[CleanText], Optional[str]]] = collections.deque()

    def texts() -> Iterator[str]:
        for row in first.rows:
            summary.rows += 1
            if row.number <= done:
                summary.skipped += 1
                continue
            if row.error is not None or row.record is None:
                text, error = None, row.error
            else:
                text, error = _text_of(row.record, text_columns, max_chars)
            cleaned = None
            if text is not None:
                cleaned = clean_ticket(text) if clean else CleanText(text, text, tuple(range(len(text))))
            pending.append((row, cleaned, error))
            yield cleaned.text if cleaned is not None else ""

    try:
        for result in labeler.pipe(texts(), batch_size=batch_size, n_process=n_process):
            row, cleaned, error = pending.popleft()
            record = _record(row, id_column, keep_columns, text_columns, cleaned, result, error)
            writer.write(record)
            if error:
                summary.errors += 1
            else:
                summary.labelled += 1
                for s in record["statements"]:
                    summary.statements[s["label"]] += 1
            if on_row is not None:
                on_row()
    finally:
        writer.close()
    if fmt == "parquet":
        writers.jsonl_to_parquet(written_to, output, with_columns=keep_columns)
        written_to.unlink()
    return summary


@dataclass
class _Peeked:
    peek: Optional[readers.InputRow]
    rows: Iterator[readers.InputRow]


def _first_good(rows: Iterator[readers.InputRow]) -> _Peeked:
    """Look ahead to the first readable row (to check columns) without losing any row."""
    seen: list[readers.InputRow] = []
    for row in rows:
        seen.append(row)
        if row.record is not None and row.error is None:
            break

    def replay() -> Iterator[readers.InputRow]:
        yield from seen
        yield from rows

    good = seen[-1] if seen and seen[-1].record is not None and seen[-1].error is None else None
    return _Peeked(good, replay())


def _record(row: readers.InputRow, id_column: Optional[str], keep_columns: bool, text_columns: Sequence[str],
            cleaned: Optional[CleanText], result: Result, error: Optional[str]) -> dict[str, Any]:
    record_id: Any = row.number
    if row.record is not None and id_column:
        record_id = readers.get_path(row.record, id_column) if readers.has_path(row.record, id_column) else None
    statements = [] if error is not None or cleaned is None else [
        remap_statement(s.to_dict(), cleaned.to_original, cleaned.original) for s in result.statements]
    record: dict[str, Any] = {"row": row.number, "id": record_id, "statements": statements, "error": error}
    if len(text_columns) > 1 and cleaned is not None:
        record["text"] = cleaned.original  # the joined columns the offsets point into
    if keep_columns and row.record is not None:
        used = set(text_columns) | {id_column}
        record["columns"] = {k: v for k, v in row.record.items() if k not in used}
    return record
