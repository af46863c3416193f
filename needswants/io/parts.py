"""Cutting an export of many files into parts that are labelled independently (one Dask task each).

An export is a file, a folder (every file in it with a known extension, as a partitioned Parquet
dataset is laid out) or a glob such as ``exports/2024-*.csv``. A CSV, JSONL or JSON file is one
part, whatever its size (split large ones into several files); a Parquet file is cut between its
row groups into parts of whole row groups, each of at least ``rows_per_part`` rows (but the
last), so a file written as one row group is one part.
Each part knows the number of its first row in its file, so output row numbers are the file's.
"""
from __future__ import annotations

import glob
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Optional

from ..errors import InputError
from . import readers

ROWS_PER_PART = 100_000
GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Part:
    """One independently labelled piece of an export."""

    index: int
    path: str
    fmt: str
    row_groups: Optional[tuple[int, ...]] = None  # Parquet: the row groups this part holds
    first_row: int = 1  # the number, in its file, of this part's first row

    @property
    def name(self) -> str:
        return f"part-{self.index:05d}"

    def rows(self, encoding: str = "utf-8-sig") -> Iterator[readers.InputRow]:
        if self.fmt == "parquet":
            return readers.read_parquet(self.path, self.row_groups, self.first_row)
        return readers.read_rows(self.path, self.fmt, encoding)

    def describe(self) -> dict[str, Any]:
        record = asdict(self)
        record["row_groups"] = list(self.row_groups) if self.row_groups is not None else None
        return record


def _hidden(path: Path, root: Path) -> bool:
    """A file or folder below ``root`` whose name starts with "." or "_": the markers and
    temporary data of data-lake tools (``_SUCCESS``, ``_metadata``, ``_temporary/``, ``.hive-staging/``)."""
    return any(part.startswith((".", "_")) for part in path.relative_to(root).parts)


def input_files(pattern: str) -> list[str]:
    """The files an export names: a file, a folder (searched recursively for files with a known
    extension) or a glob; sorted, without hidden files and folders (see :func:`_hidden`)."""
    if pattern == "-":
        raise InputError("Standard input cannot be split into parts; give a file, a folder or a glob.")
    path = Path(pattern)
    if path.is_file():
        return [str(path)]
    if path.is_dir():
        found = sorted(str(p) for p in path.rglob("*")
                       if p.is_file() and p.suffix.lower() in readers.EXTENSIONS and not _hidden(p, path))
        what = f"folder {pattern!r} (files named .csv, .tsv, .jsonl, .ndjson, .json, .parquet or .pq)"
    elif GLOB_CHARS & set(pattern):
        found = sorted(str(Path(p)) for p in glob.glob(pattern, recursive=True)
                       if Path(p).is_file() and not Path(p).name.startswith((".", "_")))
        what = f"glob {pattern!r}"
    else:
        raise InputError(f"Input {pattern!r} does not exist; give a file, a folder or a glob such as 'exports/*.csv'.")
    if not found:
        raise InputError(f"No input files match the {what}; check the path.")
    return found


def _file_format(path: str, input_format: Optional[str]) -> str:
    if input_format is not None:
        if input_format not in readers.FORMATS:
            raise InputError(f"Unknown input format {input_format!r}; use one of {', '.join(readers.FORMATS)}.")
        return input_format
    with open(path, "rb") as fh:
        return readers.detect_format(path, fh.read(readers.SNIFF_BYTES))


def _parquet_parts(path: str, start_index: int, rows_per_part: int) -> list[Part]:
    metadata = readers.open_parquet(path).metadata
    parts: list[Part] = []
    groups: list[int] = []
    rows_in_part, first_row = 0, 1
    for group in range(metadata.num_row_groups):
        groups.append(group)
        rows_in_part += metadata.row_group(group).num_rows
        if rows_in_part >= rows_per_part:
            parts.append(Part(start_index + len(parts), path, "parquet", tuple(groups), first_row))
            first_row += rows_in_part
            groups, rows_in_part = [], 0
    if groups or not parts:  # the rest, or an empty file (which still gives its part)
        parts.append(Part(start_index + len(parts), path, "parquet", tuple(groups), first_row))
    return parts


def plan_parts(files: list[str], input_format: Optional[str] = None, rows_per_part: int = ROWS_PER_PART) -> list[Part]:
    """The parts of ``files``, in order: one per text file, row-group runs for Parquet."""
    parts: list[Part] = []
    for path in files:
        fmt = _file_format(path, input_format)
        if fmt == "parquet":
            parts += _parquet_parts(path, len(parts), rows_per_part)
        else:
            parts.append(Part(len(parts), path, fmt))
    return parts
