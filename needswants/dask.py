"""Labelling on Dask, when one machine is not enough. Needs the ``[dask]`` extra.

- ``label_dataframe(ddf, text="body", id="id")``: a Dask DataFrame of tickets in, a lazy one out,
  with columns ``id`` (its input dtype kept) and ``statements`` (each a list of statement dicts,
  as in ``Result.to_dict()["statements"]``); one output partition per input partition.
- ``label_files(export, folder, client)``: what ``needswants label --scheduler`` runs. Each part
  of the export (a file, or a run of Parquet row groups) is one task that reads its part on the
  worker, labels it exactly as single-process ``needswants label`` does and writes
  ``folder/part-NNNNN.<format>`` atomically, so a task that Dask retries after its worker died
  rewrites its part whole: no row is lost or repeated.

Each worker process loads the model once, on its first task, and keeps it; tasks carry only
the model's path.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Optional, Union

try:
    import dask.dataframe as dd
    import distributed
    import pandas as pd
except ImportError as err:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "needswants.dask needs Dask: pip install 'needswants[dask]'"
    ) from err

from .batch import DEFAULT_MAX_CHARS, OUTPUT_FORMATS, Summary, label_export
from .errors import InputError
from .io import writers
from .io.parts import ROWS_PER_PART, Part, input_files, plan_parts
from .labeler import Labeler, load, model_folder

MANIFEST = "_manifest.json"

_LOADED: dict[Optional[str], Labeler] = {}  # one Labeler per model path, per worker process


def _labeler(model: Optional[str]) -> Labeler:
    if model not in _LOADED:
        _LOADED[model] = load(model)
    return _LOADED[model]


def _meta(id_dtype: Any) -> pd.DataFrame:
    return pd.DataFrame({"id": pd.Series(dtype=id_dtype), "statements": pd.Series(dtype=object)})


def label_partition(frame: pd.DataFrame, text: str, id: str, model: Optional[str] = None,
                    batch_size: int = 256) -> pd.DataFrame:
    """Label one pandas partition; a missing or empty text gives an empty list of statements."""
    labeler = _labeler(model)
    texts = [value if isinstance(value, str) else "" for value in frame[text].tolist()]
    statements = [[s.to_dict() for s in result.statements] for result in labeler.pipe(texts, batch_size=batch_size)]
    out = _meta(frame[id].dtype)
    out["id"] = frame[id].to_numpy()
    out["statements"] = pd.Series(statements, index=out.index, dtype=object)
    return out.reset_index(drop=True)


def label_dataframe(ddf: dd.DataFrame, text: str = "body", id: str = "id",
                    model: Optional[Union[str, Path]] = None, batch_size: int = 256) -> dd.DataFrame:
    """A lazy Dask DataFrame of labelled statements, one partition per input partition."""
    missing = [column for column in (text, id) if column not in ddf.columns]
    if missing:
        raise KeyError(f"Unknown column {missing[0]!r}; the DataFrame has: {', '.join(map(str, ddf.columns))}")
    folder = str(model_folder(model).resolve()) if model is not None else None
    return ddf.map_partitions(label_partition, text, id, folder, batch_size, meta=_meta(ddf[id].dtype))


# -- whole exports: needswants label --scheduler ------------------------------------------------

@contextmanager
def connect(scheduler: str) -> Iterator[distributed.Client]:
    """A Client for ``tcp://HOST:PORT`` (a running cluster) or ``local:N`` (N local worker processes)."""
    if scheduler.startswith("local:"):
        count = scheduler.partition(":")[2]
        if not count.isdigit() or int(count) < 1:
            raise InputError(f"--scheduler {scheduler!r}: give the number of workers, e.g. local:2.")
        with distributed.LocalCluster(n_workers=int(count), threads_per_worker=1, processes=True,
                                      dashboard_address=":0", silence_logs=logging.ERROR) as cluster, \
                distributed.Client(cluster) as client:
            yield client
        return
    if "://" not in scheduler:
        raise InputError(f"--scheduler {scheduler!r} is not a scheduler address; use tcp://HOST:PORT or local:N.")
    try:
        client = distributed.Client(scheduler, timeout="20s")
    except (OSError, ValueError) as err:  # unreachable, timed out, or an unknown address scheme
        raise InputError(f"Cannot reach the Dask scheduler at {scheduler}: {err}. Is it running, and is the "
                         "address tcp://HOST:PORT?") from None
    with client:
        yield client


@dataclass(frozen=True)
class PartOptions:
    """How every part is labelled: the options of ``needswants label``, shipped with each task."""

    fmt: str
    text_columns: tuple[str, ...] = ("text",)
    id_column: Optional[str] = None
    keep_columns: bool = False
    encoding: str = "utf-8-sig"
    model: Optional[str] = None  # an absolute model folder, or None for the shipped model
    batch_size: int = 256
    max_chars: int = DEFAULT_MAX_CHARS
    clean: bool = True


def label_part(part: Part, target: str, options: PartOptions) -> Summary:
    """Label one part into ``target`` (a task; runs on a worker). The file appears whole or not at all."""
    target_path = Path(target)
    scratch = target_path.with_name(f".{target_path.stem}.{uuid.uuid4().hex}{target_path.suffix}")
    try:
        summary = label_export(
            _labeler(options.model), part.path, scratch, rows=part.rows(options.encoding), fmt=options.fmt,
            force=True, text_columns=options.text_columns, id_column=options.id_column,
            keep_columns=options.keep_columns, batch_size=options.batch_size, max_chars=options.max_chars,
            clean=options.clean)
        os.replace(scratch, target_path)
    except InputError as err:  # name the file: the export may have hundreds
        raise InputError(f"{part.path} ({part.name}): {err}") from None
    finally:
        for leftover in (scratch, writers.partial_path(scratch), scratch.with_name(scratch.name + ".tmp")):
            leftover.unlink(missing_ok=True)
    return summary


@dataclass
class RunSummary(Summary):
    parts: int = 0
    parts_done_before: int = 0  # parts found complete when resuming

    def add(self, part: Summary) -> None:
        self.rows += part.rows
        self.labelled += part.labelled
        self.errors += part.errors
        for label, count in part.statements.items():
            self.statements[label] += count

    def __str__(self) -> str:
        resumed = f", {self.parts_done_before} of them already done (resumed)" if self.parts_done_before else ""
        return f"{self.parts} parts{resumed}; {super().__str__()}"


def _part_path(folder: Path, part: Part, fmt: str) -> Path:
    return folder / f"{part.name}.{fmt}"


def _our_files(folder: Path) -> list[Path]:
    """The files an earlier run left in ``folder``: parts and the manifest."""
    if not folder.is_dir():
        return []
    return sorted(folder.glob("part-*.*")) + sorted(folder.glob(MANIFEST))


def _check_folder(folder: Path, plan: dict[str, Any], resume: bool, force: bool) -> Optional[set[str]]:
    """Check the output folder against this run, changing nothing. Returns the names of the
    parts already written when resuming the same run, or None when the run starts afresh."""
    if resume and force:
        raise InputError("Give --resume or --force, not both.")
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} is a file; with --scheduler the output is a folder of parts. Name a folder.")
    ours = _our_files(folder)
    if ours and not resume and not force:
        raise InputError(f"{folder} already holds labelled parts; add --force to overwrite them or --resume to finish them.")
    manifest = folder / MANIFEST
    if not (resume and manifest.exists()):
        return None
    try:
        written_for = json.loads(manifest.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"{manifest} is damaged ({err}); use --force to start over.") from None
    if written_for != plan:
        raise InputError(f"{folder} was written for other inputs, options or format; --resume only finishes "
                         "the same run. Use --force to start over.")
    return {path.stem for path in folder.glob(f"part-*.{plan['format']}")}


def _start_folder(folder: Path, plan: dict[str, Any]) -> None:
    """Clear what an earlier run left (``--force`` was checked) and write this run's manifest."""
    for path in _our_files(folder):
        path.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    scratch = folder / f".{MANIFEST}.{uuid.uuid4().hex}"
    scratch.write_text(json.dumps(plan, indent=1), encoding="utf-8")
    os.replace(scratch, folder / MANIFEST)


def _check_workers(client: distributed.Client) -> None:
    """Every worker has the needswants of this machine (tasks run its code there)."""
    mine = metadata.version("needswants")
    try:
        theirs = client.run(metadata.version, "needswants")
    except metadata.PackageNotFoundError:
        raise InputError("needswants is not installed on the Dask workers; install it in their environment: "
                         f"pip install 'needswants[dask]=={mine}'") from None
    other = sorted({version for version in theirs.values() if version != mine})
    if other:
        raise InputError(f"Dask workers have needswants {', '.join(other)}, this machine has {mine}; install the same "
                         f"version on every worker: pip install 'needswants[dask]=={mine}'")


def label_files(export: str, folder: Union[str, Path], scheduler: Union[str, distributed.Client], *,
                fmt: str = "parquet",
                input_format: Optional[str] = None, text_columns: tuple[str, ...] = ("text",),
                id_column: Optional[str] = None, keep_columns: bool = False, encoding: str = "utf-8-sig",
                model: Optional[Union[str, Path]] = None, batch_size: int = 256,
                max_chars: int = DEFAULT_MAX_CHARS, clean: bool = True, resume: bool = False,
                force: bool = False, rows_per_part: int = ROWS_PER_PART,
                on_part: Optional[Callable[[Summary], None]] = None) -> RunSummary:
    """Label every row of ``export`` (a file, a folder or a glob) on a Dask cluster.

    ``scheduler`` is a ``distributed.Client``, or an address for :func:`connect` (``tcp://HOST:PORT``
    or ``local:N``), connected to only after the inputs and the output folder have been checked;
    ``--force`` clears the folder only once the cluster is reached.

    Writes ``folder/part-NNNNN.<fmt>`` (one per part, in input order; each holds the records
    ``needswants label`` would write for its rows, numbered as in their file) and
    ``folder/_manifest.json`` (the options and which input each part holds). Files inside
    ``folder`` are never taken as input. Workers must see the same paths.
    """
    if fmt not in OUTPUT_FORMATS:
        raise InputError(f"Unknown output format {fmt!r}; use one of {', '.join(OUTPUT_FORMATS)}.")
    folder = Path(folder).resolve()
    files = [path for path in (Path(f).resolve() for f in input_files(export)) if folder not in path.parents]
    if not files:
        raise InputError(f"Every input file of {export!r} is inside the output folder {folder}; "
                         "name an output folder outside the export.")
    parts = plan_parts([str(path) for path in files], input_format, rows_per_part)
    options = PartOptions(fmt=fmt, text_columns=tuple(text_columns), id_column=id_column, keep_columns=keep_columns,
                          encoding=encoding, model=str(model_folder(model).resolve()) if model is not None else None,
                          batch_size=batch_size, max_chars=max_chars, clean=clean)
    plan = json.loads(json.dumps({"format": fmt, "options": {k: v for k, v in asdict(options).items() if k != "fmt"},
                                  "parts": [p.describe() for p in parts]}))  # as the manifest will read back
    done = _check_folder(folder, plan, resume, force)
    summary = RunSummary(parts=len(parts), parts_done_before=len(done or ()))
    todo = [part for part in parts if part.name not in (done or ())]
    connected = contextlib.nullcontext(scheduler) if isinstance(scheduler, distributed.Client) else connect(scheduler)
    try:
        with connected as client:
            _check_workers(client)
            if done is None:
                _start_folder(folder, plan)
            _run_parts(client, todo, folder, options, summary, on_part)
    finally:  # once a local cluster is closed, no task of it can still be writing
        for leftover in folder.glob(".part-*"):  # scratch files of attempts whose worker died
            leftover.unlink(missing_ok=True)
    return summary


def _run_parts(client: distributed.Client, parts: list[Part], folder: Path, options: PartOptions,
               summary: RunSummary, on_part: Optional[Callable[[Summary], None]]) -> None:
    run = uuid.uuid4().hex[:8]
    futures = [client.submit(label_part, part, str(_part_path(folder, part, options.fmt)), options,
                             key=f"needswants-{part.name}-{run}") for part in parts]
    try:
        for future in distributed.as_completed(futures):
            part_summary = future.result()
            summary.add(part_summary)
            if on_part is not None:
                on_part(part_summary)
    except distributed.KilledWorker as err:
        client.cancel(futures)
        raise InputError(f"A part killed the Dask workers that ran it, several times ({err}); give the workers "
                         "more memory, or split the input into smaller files.") from None
    except BaseException:
        client.cancel(futures)
        raise
