"""Commands: sources list, pull, build, serve."""

from __future__ import annotations

import pandas as pd
import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from sharppower import build as build_lib
from sharppower.cli.common import (
    DB_OPTION,
    JSON_OPTION,
    console,
    open_db,
    print_json,
    print_table,
    settings,
    user_errors,
)
from sharppower.sources.registry import SOURCES, get_source
from sharppower.sources.snapshot import pull as pull_snapshot
from sharppower.store.provenance import is_starter_only

sources_app = typer.Typer(help="Public sources the observatory reads.", no_args_is_help=True)


@sources_app.command("list")
def sources_list(json_out: bool = JSON_OPTION) -> None:
    """List registered sources with canonical URL, licence and citation."""
    rows = [s.describe() for s in SOURCES.values()]
    if json_out:
        print_json(rows)
        return
    df = pd.DataFrame(rows)[["name", "title", "licence", "kind", "coverage"]]
    print_table(df, title="Sources")


def pull(
    names: list[str] = typer.Argument(None, help="Sources to pull (default: all)."),
    update: bool = typer.Option(False, "--update", help="Replace snapshots whose checksum changed."),
) -> None:
    """Fetch sources into snapshots (from SHARPPOWER_MIRROR when set), with sha256."""
    with user_errors():
        conf = settings()
        chosen = [get_source(n) for n in names] if names else list(SOURCES.values())
        for source in chosen:
            if not source.files or not source.files[0].url:
                continue
            snap, changed = pull_snapshot(conf, source, update=update)
            state = "updated" if changed else "unchanged"
            console.print(f"{source.name}: {state} ({snap.sha256[:12]}) in {snap.dir}")


def build(
    db: str = DB_OPTION,
    force: bool = typer.Option(False, "--force", help="Reload and recompute everything."),
) -> None:
    """Build the observatory: load snapshots and starter data, compute measures and the index."""
    with user_errors():
        conf = settings(db)
        database = open_db(db)
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            task = progress.add_task("build", total=None)

            def report(label: str, done: int, total: int) -> None:
                progress.update(task, description=label, completed=done, total=total or None)

            results = build_lib.build(conf, database, force=force, progress=report)
        df = pd.DataFrame([{
            "source": r.source, "status": r.status, "rows": r.rows, "countries": r.countries,
            "years": r.years_text, "warnings": len(r.warnings)} for r in results])
        print_table(df, title="Build summary")
        for r in results:
            for w in r.warnings[:5]:
                console.print(f"[yellow]warning[/] {r.source}: {w}", highlight=False)
            if len(r.warnings) > 5:
                console.print(f"[yellow]warning[/] {r.source}: ... {len(r.warnings) - 5} more")
        if is_starter_only(database):
            console.print("The store holds only the starter data. Run `sharppower pull` "
                          "(or set SHARPPOWER_MIRROR) and `sharppower build` for the full sources.")


def serve(
    db: str = DB_OPTION,
    host: str = typer.Option(None, "--host", help="Address to listen on (default 127.0.0.1)."),
    port: int = typer.Option(None, "--port", help="Port (default 8000)."),
    demo: bool = typer.Option(False, "--demo", help="Serve a fresh store built from the starter data."),
) -> None:
    """Serve the dashboard and the JSON API."""
    import uvicorn

    from sharppower.web.app import create_app

    with user_errors():
        conf = settings(db)
        if demo:
            from sharppower.demo import demo_database

            database = demo_database(conf)
        else:
            database = open_db(db)
        host = host or conf.host
        port = port or conf.port
        console.print(f"sharppower dashboard: http://{host}:{port}/")
        uvicorn.run(create_app(conf, database), host=host, port=port, log_level="warning")


def show_settings(json_out: bool = JSON_OPTION) -> None:
    """List every setting: environment variable, current value and help."""
    from sharppower.settings import SETTINGS

    conf = settings()
    rows = [{"env": s.env, "value": str(getattr(conf, s.name) or ""), "help": s.help}
            for s in SETTINGS]
    if json_out:
        print_json(rows)
    else:
        print_table(pd.DataFrame(rows), title="Settings")


def register(app: typer.Typer) -> None:
    app.command("settings")(show_settings)
    app.add_typer(sources_app, name="sources")
    app.command()(pull)
    app.command()(build)
    app.command()(serve)


__all__ = ["JSON_OPTION", "register"]
