"""``needswants label``: label a ticket export (CSV, JSONL, JSON, Parquet) into JSONL, CSV or Parquet."""
from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from ..batch import DEFAULT_MAX_CHARS, OUTPUT_FORMATS, label_export
from ..errors import InputError
from ._report import echo_err, reported


def label_command(
    input_path: str = typer.Argument(..., metavar="INPUT", help="Export to label (.csv, .jsonl, .json, .parquet), or - for stdin. With --scheduler also a folder or a glob such as 'exports/*.parquet'."),
    output: Path = typer.Option(..., "-o", "--output", help="Output file; .jsonl, .csv or .parquet. With --scheduler a folder of parts."),
    text_column: Optional[list[str]] = typer.Option(None, "--text-column", help="Column with the text (dotted path for nested records); give twice to join subject and body. Default: text."),
    id_column: Optional[str] = typer.Option(None, "--id-column", help="Column with the ticket id. Default: the row number."),
    keep_columns: bool = typer.Option(False, "--keep-columns", help="Copy the input's other columns into the output."),
    fmt: Optional[str] = typer.Option(None, "--format", help="Output format: jsonl, csv or parquet (default: from the extension)."),
    input_format: Optional[str] = typer.Option(None, "--input-format", help="csv, jsonl, json or parquet (default: from the extension)."),
    encoding: str = typer.Option("utf-8-sig", "--encoding", help="Text encoding of CSV/JSON input."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model folder, or a shipped model's name: default or accurate (default: default)."),
    n_process: int = typer.Option(1, "--n-process", min=1, help="Worker processes."),
    batch_size: int = typer.Option(256, "--batch-size", min=1, help="Texts per batch."),
    max_chars: int = typer.Option(DEFAULT_MAX_CHARS, "--max-chars", min=1, help="Longer texts get an error record."),
    no_clean: bool = typer.Option(False, "--no-clean", help="Label the text as is (keep quoted replies, signatures, HTML)."),
    resume: bool = typer.Option(False, "--resume", help="Finish an output left by an interrupted run."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing output."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Label on Dask: tcp://HOST:PORT (a running cluster) or local:N (N local worker processes). Needs the [dask] extra."),
) -> None:
    """Label every row of INPUT; each row gives exactly one output record."""
    show_progress = not quiet and sys.stderr.isatty()
    if scheduler is not None:
        with reported(on_interrupt=f"interrupted; run the same command with --resume to finish {output}"):
            summary = _label_on_dask(scheduler, input_path, output, fmt=fmt, input_format=input_format,
                                     text_columns=tuple(text_column or ("text",)), id_column=id_column,
                                     keep_columns=keep_columns, encoding=encoding, model=model, n_process=n_process,
                                     batch_size=batch_size, max_chars=max_chars, clean=not no_clean,
                                     resume=resume, force=force, show_progress=show_progress)
        if not quiet:
            echo_err(f"needswants: {summary} -> {output}")
        return
    from .. import load  # after argument parsing, so --help stays fast

    with reported(on_interrupt=f"interrupted; run the same command with --resume to finish {output}"):
        labeler = load(model)
        progress = _progress(show_progress)
        with progress:
            tick = _ticker(progress)
            summary = label_export(
                labeler, input_path, output, text_columns=tuple(text_column or ("text",)), id_column=id_column,
                keep_columns=keep_columns, fmt=fmt, input_format=input_format, encoding=encoding,
                n_process=n_process, batch_size=batch_size, resume=resume, force=force, clean=not no_clean,
                max_chars=max_chars, on_row=tick if show_progress else None,
            )
    if not quiet:
        echo_err(f"needswants: {summary} -> {output}")


def _progress(show: bool) -> Progress:
    return Progress(TextColumn("labelling"), BarColumn(), TextColumn("{task.completed} rows"),
                    TextColumn("{task.fields[rate]} rows/s"), TimeElapsedColumn(), TimeRemainingColumn(),
                    console=Console(stderr=True), disable=not show, transient=True)


def _ticker(progress: Progress) -> Callable[..., None]:
    """A callback that advances the bar by ``rows`` and shows the rate."""
    task = progress.add_task("label", total=None, rate="-")

    def tick(rows: int = 1) -> None:
        progress.advance(task, rows)
        elapsed = progress.tasks[0].elapsed or 0
        if elapsed:
            progress.update(task, rate=f"{progress.tasks[0].completed / elapsed:,.0f}")

    return tick


def _label_on_dask(scheduler: str, input_path: str, output: Path, *, fmt: Optional[str], n_process: int,
                   show_progress: bool, **options: Any) -> Any:
    """``--scheduler``: the export's parts labelled on a Dask cluster into the folder ``output``."""
    if n_process != 1:
        raise InputError("--n-process is for one machine; with --scheduler the cluster's workers do the work.")
    try:
        from .. import dask as on_dask
    except ImportError as err:
        raise InputError(str(err)) from None
    suffix = output.suffix.lower().lstrip(".")
    fmt = fmt or (suffix if suffix in OUTPUT_FORMATS else "parquet")
    progress = _progress(show_progress)
    with progress:
        tick = _ticker(progress)
        return on_dask.label_files(input_path, output, scheduler, fmt=fmt, on_part=lambda part: tick(part.rows),
                                   **options)
