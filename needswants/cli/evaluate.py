"""``needswants evaluate``: score a model folder on labelled statements."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from ._report import echo_err, reported


def evaluate_command(
    model: Path = typer.Argument(..., metavar="MODEL_DIR", help="Model folder (from `needswants train`), or a shipped model's name: default or accurate."),
    test_path: Path = typer.Argument(..., metavar="TEST", help="Labelled statements (.jsonl or .csv)."),
    html: Optional[Path] = typer.Option(None, "--html", help="Also write an HTML report here."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Print per-label precision, recall, F1, macro-F1, the confusion matrix and calibration error."""
    from .. import evaluate, load
    from ..report_html import render_html

    with reported():
        report = evaluate(load(model), test_path)
        if html is not None:
            html.write_text(render_html(report, title=f"needswants: {model} on {test_path.name}"), encoding="utf-8")
    typer.echo(json.dumps(report.to_dict(), indent=2) if as_json else str(report))
    if html is not None:
        echo_err(f"needswants: HTML report written to {html}")
