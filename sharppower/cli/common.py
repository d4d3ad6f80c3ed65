"""Options and helpers shared by the CLI modules."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from sharppower.errors import SharppowerError
from sharppower.settings import Settings
from sharppower.store import Database

console = Console()
err_console = Console(stderr=True)

DB_OPTION = typer.Option(
    None, "--db", help="Database URL (default: SHARPPOWER_DATABASE_URL or an SQLite file "
    "in the data folder).")
JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON.")


def settings(db_url: str | None = None) -> Settings:
    return Settings.from_env(database_url=db_url)


def open_db(db_url: str | None = None, upgrade: bool = True) -> Database:
    db = Database(settings(db_url).database_url)
    if upgrade:
        db.upgrade()
    return db


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a SharppowerError as a clear message on stderr and exit with status 1."""
    try:
        yield
    except SharppowerError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
        raise typer.Exit(1) from None


def print_json(data: Any) -> None:
    if isinstance(data, pd.DataFrame):
        data = json.loads(data.to_json(orient="records", date_format="iso"))
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def print_table(df: pd.DataFrame, title: str | None = None, max_rows: int = 200) -> None:
    table = Table(title=title, show_lines=False)
    for col in df.columns:
        table.add_column(str(col), overflow="fold")
    for row in df.head(max_rows).itertuples(index=False):
        table.add_row(*["" if pd.isna(v) else str(v) for v in row])
    console.print(table)
    if len(df) > max_rows:
        console.print(f"... {len(df) - max_rows} more rows (use --json for all)")
