"""How the CLI reports: one readable line on stderr and an exit code, never a traceback."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from ..errors import NeedswantsError

EXIT_INTERRUPTED = 130


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"needswants: error: {message}", err=True)
    return typer.Exit(code)


@contextmanager
def reported(on_interrupt: str = "interrupted") -> Iterator[None]:
    """Turn library errors into one line and an exit code."""
    try:
        yield
    except KeyboardInterrupt:
        typer.echo(f"needswants: {on_interrupt}", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except (NeedswantsError, FileNotFoundError, OSError, TypeError) as err:
        first, _, rest = str(err).partition("\n")
        typer.echo(f"needswants: error: {first}", err=True)
        if rest:
            typer.echo(rest, err=True)
        raise typer.Exit(1) from None


def echo_err(message: str) -> None:
    typer.echo(message, err=True)

