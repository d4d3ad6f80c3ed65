"""The CLI loads only the command that runs (lazy start-up), and still offers every command."""

from __future__ import annotations

import json
import subprocess
import sys

import typer
from typer.testing import CliRunner

from sharppower import __version__
from sharppower.cli import COMMANDS, app

HEAVY = ["fastapi", "sharppower.web", "sklearn", "stix2", "httpx", "jax", "numpyro",
         "scipy", "alembic", "pyspark", "plotly", "pyreadr"]


def test_every_command_of_every_cli_module_is_listed():
    """COMMANDS names each command the cli modules define, so none is lost to lazy loading."""
    import importlib

    defined = set()
    for name in set(COMMANDS.values()):
        module = importlib.import_module(f"sharppower.cli.{name}")
        holder = typer.Typer()
        holder.callback()(lambda: None)
        if hasattr(module, "register"):
            module.register(holder)
        else:
            holder.add_typer(module.app, name=name)
        defined |= set(typer.main.get_command(holder).commands)
    assert defined == set(COMMANDS)


def test_help_lists_every_command_and_subcommands_run():
    runner = CliRunner()
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for name in COMMANDS:
        assert f" {name} " in text
    sub = runner.invoke(app, ["db", "--help"])
    assert sub.exit_code == 0 and "upgrade" in sub.output
    bad = runner.invoke(app, ["no-such-command"])
    assert bad.exit_code != 0 and "No such command" in " ".join(bad.output.split())


def test_build_command_and_its_steps_load_without_the_heavy_libraries():
    """Looking up `build` and discovering every build step imports no dashboard, model,
    download or statistics library (they load when a step that needs them runs)."""
    code = ("import json, sys\n"
            "from sharppower.cli import app, load_command\n"
            "load_command('build')\n"
            "from sharppower.pipeline.discover import all_steps\n"
            "steps = all_steps()\n"
            f"print(json.dumps([len(steps), [m for m in {HEAVY!r} if m in sys.modules]]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    n_steps, loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert n_steps > 10
    assert loaded == []


def test_profile_check_of_an_unchanged_store_loads_no_dashboard_page(tmp_path):
    """A no-change build's profile step re-stamps the stored profiles through
    web.profiles without importing the dashboard's pages or FastAPI."""
    code = ("import json, sys\n"
            "import sharppower.pipeline.profiles\n"
            "from sharppower.web.cache import data_version, store_version\n"
            "from sharppower.web.profiles import inputs_fingerprint, reuse\n"
            "print(json.dumps([m for m in ('fastapi', 'sharppower.web.pages.country', 'plotly')"
            " if m in sys.modules]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_opening_a_store_at_the_head_revision_loads_no_alembic(tmp_path):
    """Every command upgrades the store it opens: at the shipped head (the common case)
    the version table is read without Alembic; a new store loads it to migrate."""
    from sharppower.store import Database

    url = f"sqlite:///{tmp_path / 'store.db'}"
    code = ("import json, sys\n"
            "from sharppower.store import Database\n"
            f"applied = Database({url!r}).upgrade()\n"
            "print(json.dumps([len(applied), 'alembic' in sys.modules]))\n")

    def opened() -> list:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    new_store = opened()
    assert new_store[0] > 10 and new_store[1] is True
    assert opened() == [0, False]
    assert Database(url).at_head()


def test_console_script_runs_the_command_keeps_its_exit_code_and_skips_the_last_collection():
    """`sharppower` is `cli.run`: the command's output and exit code as `app()` gives them;
    exit handlers still run, and the objects are frozen first (no last full collection)."""
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["scripts"]["sharppower"] == "sharppower.cli:run"
    code = ("import atexit, gc, sys\n"
            "atexit.register(lambda: print('exit handler: frozen', gc.get_freeze_count() > 0))\n"
            "from sharppower.cli import run\n"
            "sys.argv = ['sharppower', *sys.argv[1:]]\n"
            "run()\n")

    def command(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", code, *args], check=False,
                              capture_output=True, text=True)

    version = command("--version")
    assert version.returncode == 0
    assert version.stdout.splitlines() == [f"sharppower {__version__}",
                                           "exit handler: frozen True"]
    unknown = command("no-such-command")
    assert unknown.returncode == 2 and "No such command" in unknown.stderr
    assert unknown.stdout.strip() == "exit handler: frozen True"
