"""Commands: db upgrade, db status."""

from __future__ import annotations

import typer

from sharppower.cli.common import DB_OPTION, console, open_db, user_errors
from sharppower.store.migrations import applied, revisions

app = typer.Typer(help="The store: migrations and status.", no_args_is_help=True)


@app.command()
def upgrade(db: str = DB_OPTION) -> None:
    """Apply pending migrations, in order."""
    with user_errors():
        database = open_db(db, upgrade=False)
        names = database.upgrade()
        console.print(f"applied {len(names)} migration(s): {', '.join(names) or 'none pending'}")


@app.command()
def status(db: str = DB_OPTION) -> None:
    """List migrations (Alembic revisions, oldest first) and whether each is applied."""
    with user_errors():
        done = set(applied(open_db(db, upgrade=False)))
        for name in revisions():
            console.print(f"{'applied' if name in done else 'pending'}  {name}")
