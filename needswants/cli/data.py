"""``needswants data check DIR``: validate a labelled data folder."""
from __future__ import annotations

from pathlib import Path

import typer

from ._report import reported

app = typer.Typer(help="Work with labelled data folders.", no_args_is_help=True)


@app.command("check")
def check_command(folder: Path = typer.Argument(Path("data"), metavar="DIR", help="Folder with train/dev/test.jsonl.")) -> None:
    """Check schema, labels, offsets and that no text is shared across splits."""
    from ..data import check_dir

    with reported():
        counts = check_dir(folder)
    for split, per_label in counts.items():
        typer.echo(f"{split}: {sum(per_label.values())} statements " +
                   ", ".join(f"{k} {v}" for k, v in sorted(per_label.items())))
    typer.echo("ok")
