"""Command: report (the static site)."""

from __future__ import annotations

from pathlib import Path

import typer

from sharppower.cli.common import DB_OPTION, console, open_db, user_errors

OUT_OPTION = typer.Option(..., "--out", help="Folder to write the static site into.")


def report(out: Path = OUT_OPTION, db: str = DB_OPTION) -> None:
    """Write a self-contained static site (map, country profiles, quadrant, methodology,
    downloads) that opens from disk with no server and no network."""
    from sharppower.report import write_report

    with user_errors():
        summary = write_report(open_db(db), out)
    console.print(f"wrote {len(summary.pages)} pages, {len(summary.countries)} country profiles "
                  f"and {len(summary.tables)} tables (CSV and Parquet) to {summary.out}; "
                  f"open {summary.out / 'index.html'}")


def register(app: typer.Typer) -> None:
    app.command()(report)
