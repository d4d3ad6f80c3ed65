"""The `sharppower` command: each command parses its options, calls one library function
and renders the result (rich tables in a terminal, JSON with --json).

Start-up loads only the command that runs: the root group knows each command's module
(COMMANDS) and imports it when the command is looked up (`sharppower build` never loads the
dashboard, the opinion engine or the triage models); `--help` loads them all to list them.
"""

from __future__ import annotations

import gc
import importlib

import click
import typer

from sharppower import __version__
from sharppower.cli.common import StoreFailuresInOneLine

# command -> module of sharppower.cli that defines it: `register(app)` adds the module's
# commands to the root, or `app` is the module's group of subcommands. In help order.
COMMANDS = {
    "settings": "core", "sources": "core", "pull": "core", "build": "core", "serve": "core",
    "report": "report", "validate": "validate", "db": "db", "opinion": "opinion",
    "evidence": "evidence", "index": "index", "users": "users", "triage": "triage",
    "media": "media", "vulnerability": "vulnerability",
}


def load_command(name: str) -> click.Command:
    """The click command `name` built from its module (imported now)."""
    module = importlib.import_module(f"sharppower.cli.{COMMANDS[name]}")
    holder = typer.Typer()
    holder.callback()(lambda: None)  # a group even when the module adds one command
    if hasattr(module, "register"):
        module.register(holder)
    else:
        holder.add_typer(module.app, name=name)
    return typer.main.get_command(holder).commands[name]


class LazyRoot(StoreFailuresInOneLine):
    """The root group: commands are loaded from their modules on first look-up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *(n for n in self.commands if n not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands[cmd_name] = load_command(cmd_name)
        return self.commands.get(cmd_name)


app = typer.Typer(
    name="sharppower",
    help="Open observatory of authoritarian influence abroad: attraction and sharp power.",
    no_args_is_help=True,
    add_completion=False,
    cls=LazyRoot,  # commands load on use; a read-only or full store: one line, not a traceback
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


def run() -> None:
    """The `sharppower` console script: the command, then the end of the process without
    the interpreter's last garbage collection, which would walk every object the imports
    and the command made only to free memory the process returns anyway (0.2 s of a
    no-change `sharppower build`). Objects are still freed by their reference counts, and
    files, the store's connections and exit handlers close as usual."""
    try:
        app()
    finally:
        gc.freeze()
