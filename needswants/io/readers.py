"""Reading ticket exports row by row, never stopping at a bad row.

Every physical input record becomes one :class:`InputRow`, with either its ``record`` (a dict)
or an ``error`` saying what is wrong with it, so the caller can give every row an output record.
Problems with the whole input (missing file, unknown format) raise :class:`InputError`.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Optional

from ..errors import InputError
from ..text import has_lone_surrogates, replace_lone_surrogates

FORMATS = ("csv", "jsonl", "json", "parquet")
EXTENSIONS = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
              ".parquet": "parquet", ".pq": "parquet"}
WRAPPER_KEYS = ("tickets", "data", "records", "items", "results", "rows", "conversations", "messages")
SNIFF_BYTES = 64 * 1024
csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True)
class InputRow:
    """One input row: its record, or an error saying why it cannot be labelled (or both: a row
    whose text is unreadable keeps its other fields, e.g. its id)."""

    number: int  # 1-based: data rows of a CSV (after the header), lines of a JSONL, items of a JSON array
    record: Optional[dict[str, Any]]
    error: Optional[str] = None


def detect_format(path: str, head: bytes = b"") -> str:
    suffix = Path(path).suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    stripped = head.lstrip(codecs.BOM_UTF8 + b" \t\r\n")
    if stripped.startswith(b"PAR1") or head.startswith(b"PAR1"):
        return "parquet"
    if stripped.startswith(b"["):
        return "json"
    if stripped.startswith(b"{"):
        first_line = stripped.split(b"\n", 1)[0].strip()
        return "jsonl" if first_line.endswith(b"}") else "json"
    if path != "-" and not head:
        raise InputError(f"Cannot tell the format of {path!r}; name it .csv, .jsonl, .json or .parquet, "
                         "or give --input-format.")
    return "csv"


def _open_binary(path: str) -> BinaryIO:
    if path == "-":
        return sys.stdin.buffer
    if not Path(path).is_file():
        raise InputError(f"Input file {path!r} does not exist; check the path.")
    return open(path, "rb")


def replace_surrogates(value: Any) -> Any:
    """Lone surrogates (from "\\ud800" escapes in JSON, or undecodable bytes) become U+FFFD,
    so every string that leaves the reader can be written as UTF-8; lengths are unchanged."""
    if isinstance(value, str):
        return replace_lone_surrogates(value)
    if isinstance(value, dict):
        return {k: replace_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [replace_surrogates(v) for v in value]
    return value


def _undecodable(record: dict[str, Any]) -> Optional[str]:
    for key, value in record.items():
        if isinstance(value, str) and has_lone_surrogates(value):
            return key
    return None


def read_csv(stream: BinaryIO, encoding: str, head: bytes = b"") -> Iterator[InputRow]:
    sample = head.decode(encoding, errors="replace").lstrip("\ufeff")
    try:
        dialect: Any = csv.Sniffer().sniff(sample.rsplit("\n", 1)[0] or sample, delimiters=",;\t|")
        dialect.doublequote = True
    except csv.Error:
        dialect = csv.excel
    text = io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape", newline="")
    reader = csv.reader(text, dialect)
    header = next(reader, None)
    if header is None:
        return
    header = [h.lstrip("\ufeff").strip() for h in header]
    for number, cells in enumerate(reader, 1):
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            yield InputRow(number, None, f"row has {len(cells)} cells but the header has {len(header)}; "
                                         "check the quoting of this row")
            continue
        record = dict(zip(header, cells + [""] * (len(header) - len(cells))))
        bad = _undecodable(record)
        if bad is not None:
            # the record is kept (for its id) but flagged, so it is not labelled
            yield InputRow(number, replace_surrogates(record), f"column {bad!r} holds bytes that are not valid {encoding}; "
                                           "re-run with --encoding (e.g. --encoding cp1252)")
            continue
        yield InputRow(number, record)


def read_jsonl(stream: BinaryIO, encoding: str) -> Iterator[InputRow]:
    number = 0
    for number, raw in enumerate(stream, 1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        if not raw.strip():
            yield InputRow(number, None, "empty line: no record")
            continue
        try:
            line = raw.decode(encoding)
        except UnicodeDecodeError as err:
            yield InputRow(number, None, f"line is not valid {encoding} (byte {err.start}); "
                                         "re-run with --encoding or fix the line")
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            yield InputRow(number, None, f"broken JSON line ({err.msg} at column {err.colno}); fix or remove it")
            continue
        if not isinstance(value, dict):
            yield InputRow(number, None, f"line holds a JSON {type(value).__name__}, not an object")
            continue
        yield InputRow(number, replace_surrogates(value))


def read_json(stream: BinaryIO, encoding: str) -> Iterator[InputRow]:
    try:
        data = json.loads(stream.read().decode(encoding).lstrip("\ufeff"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"The JSON input cannot be read: {err}. Use JSONL (one object a line) for "
                         "files with broken records, so the rest can still be labelled.") from err
    if isinstance(data, dict):
        lists = [k for k in WRAPPER_KEYS if isinstance(data.get(k), list)]
        lists += [k for k, v in data.items() if isinstance(v, list) and k not in lists]
        if not lists:
            raise InputError("The JSON object holds no list of records; expected e.g. {\"tickets\": [...]}.")
        data = data[lists[0]]
    if not isinstance(data, list):
        raise InputError(f"The JSON input is a {type(data).__name__}; expected a list of records.")
    for number, value in enumerate(data, 1):
        if isinstance(value, dict):
            yield InputRow(number, replace_surrogates(value))
        else:
            yield InputRow(number, None, f"item is a JSON {type(value).__name__}, not an object")


def open_parquet(path: str) -> Any:
    """A ``pyarrow.parquet.ParquetFile``, or InputError saying why it cannot be read."""
    import pyarrow.parquet as pq

    if path == "-":
        raise InputError("Parquet cannot be read from standard input; give the file path.")
    try:
        return pq.ParquetFile(path)
    except Exception as err:
        raise InputError(f"{path!r} is not a readable Parquet file: {err}") from err


def read_parquet(path: str, row_groups: Optional[Sequence[int]] = None, first_row: int = 1) -> Iterator[InputRow]:
    """The rows of a Parquet file, or of some of its row groups (numbered from ``first_row``)."""
    parquet = open_parquet(path)
    number = first_row - 1
    for batch in parquet.iter_batches(batch_size=4096, row_groups=row_groups):
        for record in batch.to_pylist():
            number += 1
            yield InputRow(number, record)


def read_rows(path: str, fmt: Optional[str] = None, encoding: str = "utf-8-sig") -> Iterator[InputRow]:
    """Every row of the export at ``path`` ("-" for standard input)."""
    try:
        codecs.lookup(encoding)
    except LookupError as err:
        raise InputError(f"Unknown encoding {encoding!r}; use e.g. utf-8, cp1252, latin-1.") from err
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"Unknown input format {fmt!r}; use one of {', '.join(FORMATS)}.")
    if fmt == "parquet" or (fmt is None and detect_format(path, b"") == "parquet" and path != "-"):
        if not Path(path).is_file():
            raise InputError(f"Input file {path!r} does not exist; check the path.")
        yield from read_parquet(path)
        return
    stream = io.BufferedReader(_open_binary(path)) if path == "-" else _open_binary(path)
    try:
        head = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES] if hasattr(stream, "peek") else b""
        fmt = fmt or detect_format(path, head)
        if fmt == "parquet":
            raise InputError("Parquet cannot be read from standard input; give the file path.")
        plain = "utf-8" if encoding.lower().replace("_", "-") == "utf-8-sig" else encoding
        if fmt == "csv":
            yield from read_csv(stream, encoding, head)
        elif fmt == "jsonl":
            yield from read_jsonl(stream, plain)
        else:
            yield from read_json(stream, plain)
    finally:
        if path != "-":
            stream.close()


def get_path(record: dict[str, Any], dotted: str) -> Any:
    """``record["comment"]["body"]`` for ``"comment.body"``; a key that holds the dot wins."""
    if dotted in record:
        return record[dotted]
    value: Any = record
    for part in dotted.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise KeyError(dotted)
    return value


def has_path(record: dict[str, Any], dotted: str) -> bool:
    try:
        get_path(record, dotted)
    except KeyError:
        return False
    return True


def column_names(record: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted names of every column of a record (nested objects flattened)."""
    names = []
    for key, value in record.items():
        name = f"{prefix}{key}"
        names.append(name)
        if isinstance(value, dict):
            names += column_names(value, name + ".")
    return names
