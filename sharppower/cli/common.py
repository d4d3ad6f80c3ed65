"""Options and helpers shared by the CLI modules."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from sharppower.errors import SharppowerError
from sharppower.settings import Settings
from sharppower.store import Database
from sharppower.store.failures import explain

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


def esc(value: Any) -> str:
    """User text made safe to print inside rich markup (`[/x]` stays literal)."""
    return escape(str(value))


def print_error(message: Any) -> None:
    err_console.print(f"[bold red]error:[/] {esc(message)}", highlight=False, markup=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a SharppowerError (or an unreadable file) as a clear message on stderr, its
    text escaped (never read as markup), and exit with status 1."""
    try:
        yield
    except SharppowerError as exc:
        print_error(exc)
        raise typer.Exit(1) from None
    except (OSError, UnicodeDecodeError) as exc:
        print_error(f"{getattr(exc, 'filename', None) or 'input'}: {exc}")
        raise typer.Exit(1) from None


class StoreFailuresInOneLine(TyperGroup):
    """The root command group: a store that is read-only, on a full disk or unreachable is
    one line on stderr and exit status 1 in every command, not a traceback (the store is
    left as it was: the failed transaction rolled back)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            message = explain(exc)
            if message is None:
                raise
            print_error(message)
            raise typer.Exit(1) from None


class AuditRow:
    """The ok row of one CLI write, for the library to write in the write's own transaction
    (`audit=` of the ledger's functions): a write committed is never left unaudited."""

    def __init__(self, who: str, action: str, target: str | None):
        self.who, self.action, self.target, self.written = who, action, target, False

    def __call__(self, conn, obj: str | None = None) -> None:
        from sharppower.web import accounts

        accounts.audit_row(conn, self.who, self.action, "ok", obj=obj or self.target,
                           detail={"via": "cli"})
        self.written = True


@contextmanager
def audited(db: Database, who: str, action: str, target: str | None) -> Iterator[AuditRow]:
    """Keep the write attempt of a CLI command in the audit log (actor `who`, outcome ok or
    error with the message), like the API's. Pass the yielded AuditRow as the library
    call's `audit=`: the ok row is then written in the write's transaction; otherwise it
    is written after the block."""
    from sharppower.web import accounts

    row = AuditRow(who, action, target)
    try:
        yield row
    except Exception as exc:
        accounts.audit(db, who, action, "error", obj=target,
                       detail={"via": "cli", "message": str(exc)[:2000]})
        raise
    if not row.written:
        accounts.audit(db, who, action, "ok", obj=target, detail={"via": "cli"})


def print_json(data: Any) -> None:
    if isinstance(data, pd.DataFrame):
        data = json.loads(data.to_json(orient="records", date_format="iso"))
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def _missing(value: Any) -> bool:
    return not isinstance(value, (list, tuple, dict)) and bool(pd.isna(value))


# a column whose values are all at most this long is compact: a value is never broken
# across lines (numbers, codes, years, "82.9 [80-86]"); longer text wraps at spaces
COMPACT = 16


def _cell(value: Any) -> str:
    return "" if _missing(value) else str(value)


def print_table(df: pd.DataFrame, title: str | None = None, max_rows: int = 200) -> None:
    """A table that fits 80 columns where it can: one space between columns, no outer
    border, compact columns never wrapped (cut with an ellipsis only as a last resort),
    text columns wrapped at word boundaries."""
    shown = df.head(max_rows)
    table = Table(title=title, show_lines=False, box=box.SIMPLE_HEAD, padding=(0, 0),
                  pad_edge=False, show_edge=False)
    for col in shown.columns:
        compact = max((len(_cell(v)) for v in shown[col]), default=0) <= COMPACT
        table.add_column(str(col), no_wrap=compact, overflow="ellipsis" if compact else "fold")
    for row in shown.itertuples(index=False):
        table.add_row(*[Text(_cell(v)) for v in row])  # never markup
    console.print(table)
    if len(df) > max_rows:
        console.print(f"... {len(df) - max_rows} more rows (use --json for all)")
