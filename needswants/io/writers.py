"""Writing labelled records: JSONL and CSV appended record by record, Parquet at the end.

Each record is written with one ``os.write`` call, so a run killed at any moment leaves
only whole records behind; :func:`records_done` counts them so ``--resume`` can go on.
Parquet cannot be appended to, so it is written to ``OUTPUT.partial.jsonl`` first and
converted when the run completes.
"""
from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any, Optional

from ..errors import InputError
from ..schema import LABELS

CSV_FIELDS = ("row", "id", "index", "start", "end", "text", "label", "confidence", "level", "target", "error")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PARTIAL_SUFFIX = ".partial.jsonl"


def _utf8(text: str) -> bytes:
    # lone surrogates in the input are written as escapes rather than crashing the run
    return text.encode("utf-8", errors="backslashreplace")


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte (os.write may write fewer than asked)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def escape_formula(value: Any) -> Any:
    """Prefix a cell a spreadsheet would run as a formula with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


class JsonlWriter:
    def __init__(self, path: Path, append: bool) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC), 0o644)

    def write(self, record: dict[str, Any]) -> None:
        _write_all(self.fd, _utf8(json.dumps(record, ensure_ascii=False, default=_json_default) + "\n"))

    def close(self) -> None:
        os.close(self.fd)


class CsvWriter:
    """One row per statement; a record without statements (or with an error) gets one row."""

    def __init__(self, path: Path, append: bool, extra_columns: tuple[str, ...] = ()) -> None:
        self.fields = CSV_FIELDS + tuple(c for c in extra_columns if c not in CSV_FIELDS)
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC), 0o644)
        if not append or os.fstat(self.fd).st_size == 0:
            self._emit([self.fields])

    def _emit(self, rows: list[Any]) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows([[escape_formula(v) for v in row] for row in rows])
        _write_all(self.fd, _utf8(buffer.getvalue()))

    def write(self, record: dict[str, Any]) -> None:
        extra = [_cell(record.get("columns", {}).get(c)) for c in self.fields[len(CSV_FIELDS):]]
        statements = record.get("statements") or []
        rows = []
        for index, s in enumerate(statements):
            target = s["target"]["text"] if s.get("target") else ""
            rows.append([record["row"], _cell(record["id"]), index, s["start"], s["end"], s["text"], s["label"],
                         round(s["confidence"], 4), s["level"] or "", target, ""] + extra)
        if not rows:
            rows.append([record["row"], _cell(record["id"]), "", "", "", "", "", "", "", "",
                         record.get("error") or ""] + extra)
        self._emit(rows)

    def close(self) -> None:
        os.close(self.fd)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    return value


def _truncate_partial_line(path: Path) -> None:
    """Drop a last line that has no newline (a write cut short)."""
    with path.open("rb+") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        if size == 0:
            return
        block = min(size, 1 << 20)
        fh.seek(size - block)
        tail = fh.read(block)
        if tail.endswith(b"\n"):
            return
        cut = tail.rfind(b"\n")
        fh.truncate(size - block + cut + 1 if cut >= 0 else 0)


def records_done(path: Path, fmt: str) -> int:
    """How many input rows an existing output already holds (the last row number written)."""
    if not path.is_file():
        return 0
    _truncate_partial_line(path)
    last = 0
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        if fmt == "csv":
            reader = csv.reader(fh)
            next(reader, None)
            for row in reader:
                if row and row[0].isdigit():
                    last = int(row[0])
        else:
            for number, line in enumerate(fh, 1):
                if line.strip():
                    try:
                        last = int(json.loads(line)["row"])
                    except (ValueError, KeyError, TypeError) as err:
                        raise InputError(f"{path} line {number} is not needswants output ({err}); "
                                         "--resume only continues an output this command wrote. Use --force to start over.") from err
    return last


def open_writer(path: Path, fmt: str, append: bool, extra_columns: tuple[str, ...] = ()) -> Any:
    if fmt == "csv":
        return CsvWriter(path, append, extra_columns)
    return JsonlWriter(path, append)


def partial_path(output: Path) -> Path:
    return output.with_name(output.name + PARTIAL_SUFFIX)


def jsonl_to_parquet(source: Path, output: Path, batch_rows: int = 10_000, with_columns: bool = False) -> None:
    """Convert the finished JSONL to Parquet in batches (memory stays flat). ``with_columns``:
    the records carry the input's other columns (``--keep-columns``), so the schema has them
    even when there is no record (an empty part of an export must match the others)."""
    import pyarrow.parquet as pq

    writer: Optional[pq.ParquetWriter] = None
    schema = parquet_schema(with_columns)
    tmp = output.with_name(output.name + ".tmp")
    try:
        with source.open(encoding="utf-8") as fh:
            batch: list[dict[str, Any]] = []
            for line in fh:
                record = json.loads(line)
                if record.get("id") is not None and not isinstance(record["id"], str):
                    record["id"] = str(record["id"])
                if "columns" in record:
                    record["columns"] = json.dumps(record["columns"], ensure_ascii=False, default=_json_default)
                batch.append(record)
                if len(batch) >= batch_rows:
                    writer = _write_batch(batch, tmp, writer, schema)
                    batch = []
            if batch or writer is None:
                writer = _write_batch(batch, tmp, writer, schema)
    finally:
        if writer is not None:
            writer.close()
    os.replace(tmp, output)


def _write_batch(batch: list[dict[str, Any]], path: Path, writer: Any, schema: Any) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(batch, schema=schema)
    if writer is None:
        writer = pq.ParquetWriter(path, schema)
    writer.write_table(table)
    return writer


def parquet_schema(with_columns: bool) -> Any:
    import pyarrow as pa

    span = pa.struct([("text", pa.string()), ("start", pa.int64()), ("end", pa.int64())])
    statement = pa.struct([
        ("text", pa.string()), ("start", pa.int64()), ("end", pa.int64()), ("label", pa.string()),
        ("confidence", pa.float64()),
        ("scores", pa.struct([(lab, pa.float64()) for lab in LABELS])),
        ("explicit", pa.bool_()), ("negated", pa.bool_()), ("level", pa.string()),
        ("target", span), ("cue", span),
    ])
    fields = [("row", pa.int64()), ("id", pa.string()), ("statements", pa.list_(statement)), ("error", pa.string())]
    if with_columns:
        fields.append(("columns", pa.string()))
    return pa.schema(fields)
