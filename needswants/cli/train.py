"""``needswants train``: train a model folder from labelled statements."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..paths import PACKAGE_DIR
from ._report import echo_err, fail, reported


def shipped_corpus() -> Path:
    """The shipped corpus' train split (source checkout)."""
    path = PACKAGE_DIR.parent / "data" / "train.jsonl"
    if not path.is_file():
        raise fail(f"--extend needs the shipped corpus at {path}; run from a needswants source checkout.")
    return path


def train_command(
    train_path: Path = typer.Argument(..., metavar="TRAIN", help="Labelled statements (.jsonl in the data/ format, or .csv with text,label)."),
    output: Path = typer.Option(..., "-o", "--output", help="Model folder to write."),
    dev: Optional[Path] = typer.Option(None, "--dev", help="Dev data: picks the regularisation (unless --C is given) and goes in the model card."),
    seed: int = typer.Option(0, "--seed", help="Random seed; the same data and seed give the same model."),
    C: Optional[float] = typer.Option(None, "--C", help="Regularisation strength to use instead of choosing it on --dev (larger fits the data more closely)."),
    refit: bool = typer.Option(False, "--refit", help="After choosing C on --dev, fit the saved model on TRAIN and dev together."),
    extend: bool = typer.Option(False, "--extend", help="Add TRAIN to the shipped corpus instead of replacing it."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing model folder."),
) -> None:
    """Train a Labeler and save it as a model folder (model, meta.json, card.md)."""
    from ..labeler import holds_model_to_replace
    from ..training import train

    if output.exists() and not output.is_dir():
        raise fail(f"{output} is a file; give a folder for the model.")
    replace = output.exists() and any(output.iterdir())
    if replace and not force:
        raise fail(f"{output} exists and is not empty; add --force to overwrite it.")
    with reported():
        if replace:
            holds_model_to_replace(output, "--force")  # refused before training, which takes minutes
        labeler = train(train_path, dev=dev, seed=seed, C=C, extra=shipped_corpus() if extend else None,
                        refit=refit)
        labeler.save(output, replace=replace)
    meta = labeler.meta
    dev_f1 = ""
    if meta.get("dev"):
        fitted = " (of the fit on TRAIN alone that chose C)" if meta.get("refit_on_dev") else ""
        dev_f1 = f", dev macro-F1 {meta['dev']['macro_f1']:.3f}{fitted}"
    echo_err(f"needswants: trained on {meta['data']['n']} statements{dev_f1}; saved to {output}")
