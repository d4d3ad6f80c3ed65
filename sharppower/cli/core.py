"""Commands: sources list, pull, build, serve."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

from sharppower import pipeline
from sharppower.build_warnings import default_log_path
from sharppower.cli.build_summary import summary_lines
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
from sharppower.errors import SharppowerError
from sharppower.sources.pull_all import pull_sources
from sharppower.sources.pull_all import summary as pull_summary
from sharppower.sources.registry import SOURCES, get_source
from sharppower.sources.snapshot import downloader_for
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
    df["download"] = [_download_kind(s) for s in SOURCES.values()]
    print_table(df, title="Sources")
    for source in SOURCES.values():
        for f in source.files:
            if f.manual:
                console.print(f"{source.name}: {f.name} needs a manual step: {f.manual_step}",
                              highlight=False, soft_wrap=True)


def _download_kind(source) -> str:
    if not source.files or not all(f.url or f.manual for f in source.files):
        return "none"
    return "manual" if any(f.manual for f in source.files) else "automatic"


def pull(
    names: list[str] = typer.Argument(None, help="Sources to pull (default: all)."),
    update: bool = typer.Option(False, "--update", help="Replace snapshots whose checksum changed."),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Sources downloaded in parallel (threads)."),
    from_dir: Path = typer.Option(None, "--from", help="Folder holding the files of sources "
                                  "that need a manual download (see `sources list`)."),
) -> None:
    """Fetch sources into snapshots (from SHARPPOWER_MIRROR when set, else by downloading
    each published file: retried, resumed, size- and type-checked), with sha256; ends
    with one summary (pulled, unchanged, failed with the reason, manual step needed)."""
    with user_errors():
        conf = settings()
        chosen = [get_source(n) for n in names] if names else list(SOURCES.values())
        with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                      TransferSpeedColumn(), console=console, transient=True) as progress:
            tasks: dict[str, int] = {}

            def on_bytes(url: str, done: int, total: int | None) -> None:
                if url not in tasks:
                    tasks[url] = progress.add_task(url.rsplit("/", 1)[-1][:40] or url, total=total)
                progress.update(tasks[url], completed=done, total=total)
                if total is not None and done >= total:  # one bar per file while it downloads
                    progress.remove_task(tasks.pop(url))

            outcomes = pull_sources(conf, chosen, update=update, jobs=jobs, from_dir=from_dir,
                                    downloader=downloader_for(conf, progress=on_bytes))
        for o in outcomes:
            state = {"pulled": "updated"}.get(o.state, o.state)
            console.print(f"{o.source}: {state} ({o.detail})" if o.state in ("pulled", "unchanged")
                          else f"{o.source}: {state}: {o.detail}", highlight=False, soft_wrap=True)
        console.print(f"pull: {pull_summary(outcomes)}", highlight=False)
        if any(o.state == "manual" for o in outcomes):
            console.print("Download the files named above by hand and run "
                          "`sharppower pull --from DIR` with the folder holding them.",
                          highlight=False)
        failed = [o for o in outcomes if o.state == "failed"]
        if failed:
            raise SharppowerError(f"{len(failed)} source(s) failed: "
                                  + "; ".join(f"{o.source}: {o.detail}" for o in failed))


def build(
    db: str = DB_OPTION,
    force: bool = typer.Option(False, "--force", help="Reload and recompute everything."),
    details: bool = typer.Option(False, "--details", help="Also print one row per source and table."),
) -> None:
    """Build the observatory: load snapshots and starter data, compute measures and the index.

    Shows progress per stage and source, then a short summary; every warning goes to a log
    file in the data folder (its path is printed) and to the store's build_log."""
    with user_errors():
        conf = settings(db)
        database = open_db(db)
        log = default_log_path(conf.data_dir)
        clock = StageClock()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True) as progress:
            stages = progress.add_task("stages", total=None)
            items = progress.add_task("", total=None)

            def on_stage(name: str, done: int, total: int) -> None:
                clock.enter(name)
                progress.update(stages, description=f"stage {name}", completed=done, total=total)
                progress.update(items, description="", completed=0, total=None)

            def on_item(label: str, done: int, total: int) -> None:
                progress.update(items, description=label, completed=done, total=total or None)

            results = pipeline.build(conf, database, force=force, progress=on_item,
                                     stage=on_stage, log=log)
        if details:
            print_table(pd.DataFrame([{
                "source": r.source, "status": r.status, "rows": r.rows, "countries": r.countries,
                "years": r.years_text, "warnings": len(r.warnings)} for r in results]),
                title="Build summary")
        for line in summary_lines(results, clock.total(), clock.seconds, log):
            console.print(line, highlight=False)
        console.print(str(log), highlight=False, soft_wrap=True)
        if is_starter_only(database):
            console.print("The store holds only the starter data. Run `sharppower pull` "
                          "(or set SHARPPOWER_MIRROR) and `sharppower build` for the full sources.")


class StageClock:
    """Seconds spent in each build stage (a stage ends when the next one, or `done`, starts)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.start = self.mark = time.perf_counter()
        self.current: str | None = None

    def enter(self, name: str) -> None:
        now = time.perf_counter()
        if self.current is not None:
            self.seconds[self.current] = now - self.mark
        self.current, self.mark = (None if name == "done" else name), now

    def total(self) -> float:
        return time.perf_counter() - self.start


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
    from sharppower.settings import current_values

    rows = current_values(settings())
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
