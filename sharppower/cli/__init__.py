"""The `sharppower` command: each command parses its options, calls one library function
and renders the result (rich tables in a terminal, JSON with --json)."""

from __future__ import annotations

import typer

from sharppower import __version__
from sharppower.cli import (
    core,
    evidence,
    index,
    opinion,
    report,
    triage,
    users,
    validate,
    vulnerability,
)
from sharppower.cli import db as db_cli
from sharppower.cli import media as media_cli
from sharppower.cli.common import StoreFailuresInOneLine

app = typer.Typer(
    name="sharppower",
    help="Open observatory of authoritarian influence abroad: attraction and sharp power.",
    no_args_is_help=True,
    add_completion=False,
    cls=StoreFailuresInOneLine,  # a read-only or full store: one line, not a traceback
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sharppower {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """sharppower command-line interface."""


core.register(app)
report.register(app)
validate.register(app)
vulnerability.register(app)
app.add_typer(db_cli.app, name="db")
app.add_typer(opinion.app, name="opinion")
app.add_typer(evidence.app, name="evidence")
app.add_typer(index.app, name="index")
app.add_typer(users.app, name="users")
app.add_typer(triage.app, name="triage")
app.add_typer(media_cli.app, name="media")
