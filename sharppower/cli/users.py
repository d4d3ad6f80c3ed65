"""`sharppower users ...`: accounts of the write API (list, add, revoke-token, deactivate).

Each command calls one function of sharppower.web.accounts and keeps the attempt in the
audit log (actor: --by, default the login name)."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from sharppower.cli.common import DB_OPTION as _DB
from sharppower.cli.common import (
    JSON_OPTION,
    audited,
    console,
    esc,
    open_db,
    print_json,
    print_table,
    user_errors,
)
from sharppower.web import accounts

app = typer.Typer(help="Users, roles and API tokens of the write API.", no_args_is_help=True)

Name = Annotated[str, typer.Argument(help="User name.")]
Db = Annotated[str | None, typer.Option("--db", help=_DB.help)]
Json = Annotated[bool, typer.Option("--json", help=JSON_OPTION.help)]
By = Annotated[str | None, typer.Option("--by", help="Who you are, for the audit log "
                                        "(default: login name).")]


@app.command("list")
def list_(db: Db = None, json_out: Json = False) -> None:
    """Users with their role, whether active, and their count of active tokens."""
    with user_errors():
        df = accounts.list_users(open_db(db))
        if json_out:
            print_json(df)
        else:
            print_table(df, title=f"Users ({len(df)})")


@app.command("add")
def add(name: Name, role: Annotated[str, typer.Option("--role", help="viewer, coder, "
                                                      "reviewer or admin.")] = "coder",
        by: By = None, db: Db = None) -> None:
    """Add a user (or change their role) and print a new token (shown once)."""
    with user_errors():
        store = open_db(db)
        with audited(store, by or getpass.getuser(), "user.create", name):
            token = accounts.create_user(store, name, role)
        console.print(f"{esc(name)} ({esc(role)}): token {esc(token)}", highlight=False)


@app.command("revoke-token")
def revoke_token(name: Name, token: Annotated[str | None, typer.Option(
        "--token", help="Revoke only this token (default: every token of the user).")] = None,
        by: By = None, db: Db = None) -> None:
    """Revoke a user's tokens (or one of them); revoked tokens never work again."""
    with user_errors():
        store = open_db(db)
        with audited(store, by or getpass.getuser(), "token.revoke", name):
            count = (int(accounts.revoke_token(store, token)) if token
                     else accounts.revoke_tokens(store, name))
        console.print(f"{esc(name)}: {count} token(s) revoked", highlight=False)


@app.command("deactivate")
def deactivate(name: Name, by: By = None, db: Db = None) -> None:
    """Deactivate a user and revoke all their tokens."""
    with user_errors():
        store = open_db(db)
        with audited(store, by or getpass.getuser(), "user.deactivate", name):
            count = accounts.deactivate_user(store, name)
        console.print(f"{esc(name)}: deactivated, {count} token(s) revoked", highlight=False)
