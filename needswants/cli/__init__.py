"""The ``needswants`` command. Each command lives in its own module and only parses
arguments, calls one library function and turns its errors into one readable line."""
from __future__ import annotations

import typer

from . import data as _data
from . import evaluate as _evaluate
from . import label as _label
from . import train as _train

app = typer.Typer(
    name="needswants",
    help="Tag customer statements as expectation, want, need or none.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("label")(_label.label_command)
app.command("train")(_train.train_command)
app.command("evaluate")(_evaluate.evaluate_command)
app.add_typer(_data.app, name="data")


def main() -> None:
    app()
