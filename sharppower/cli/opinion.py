"""Commands of the opinion measure (filled in by its issue)."""

from __future__ import annotations

import typer

app = typer.Typer(help="opinion commands.", no_args_is_help=True)
