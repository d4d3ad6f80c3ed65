"""Every command and setting is documented, and the generated CLI reference is current."""

from __future__ import annotations

from pathlib import Path

from sharppower.cli.reference import commands, markdown
from sharppower.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current():
    assert (ROOT / "docs" / "cli.md").read_text("utf-8") == markdown(), (
        "docs/cli.md is stale: run `python -m sharppower.cli.reference > docs/cli.md`")


def test_every_command_has_help():
    missing = [name for name, cmd in commands() if not (cmd.help or "").strip()]
    assert not missing


def test_every_option_has_help():


    missing = [f"{name} {p.opts[0]}" for name, cmd in commands() for p in cmd.params
               if p.param_type_name == "option" and not (p.help or "").strip()]
    assert not missing


def test_every_setting_in_readme():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert [s.env for s in SETTINGS if s.env not in readme] == []


def test_reference_shows_every_default_and_the_data_folder(monkeypatch):
    from platformdirs import user_data_dir

    text = (ROOT / "docs" / "cli.md").read_text("utf-8")
    rows = {line.split("|")[1].strip(" `"): line.split("|")[2].strip()
            for line in text.splitlines() if line.startswith("| `SHARPPOWER_")}
    assert set(rows) == {s.env for s in SETTINGS} and all(rows.values())
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    linux = user_data_dir("sharppower", appauthor=False).replace(str(Path.home()), "~")
    assert f"`{linux}` on Linux" in rows["SHARPPOWER_DATA_DIR"]
    assert rows["SHARPPOWER_PORT"] == "`8000`" and rows["SHARPPOWER_MIRROR"] == "not set"


def test_the_settings_command_lists_every_setting_with_its_value(tmp_path, monkeypatch):
    """`sharppower settings` lists every setting, those `Settings` holds and those read
    elsewhere (the user codebook) alike (it once failed on the codebook)."""
    import json

    from typer.testing import CliRunner

    from sharppower.cli import app

    book = tmp_path / "mine.yaml"
    monkeypatch.setenv("SHARPPOWER_CODEBOOK", str(book))
    monkeypatch.setenv("SHARPPOWER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SHARPPOWER_INDEX_RUNS", "40")
    monkeypatch.delenv("SHARPPOWER_MIRROR", raising=False)
    out = CliRunner().invoke(app, ["settings", "--json"])
    assert out.exit_code == 0, out.output
    rows = {r["env"]: r["value"] for r in json.loads(out.stdout)}
    assert set(rows) == {s.env for s in SETTINGS}
    assert rows["SHARPPOWER_CODEBOOK"] == str(book)
    assert rows["SHARPPOWER_INDEX_RUNS"] == "40"
    assert rows["SHARPPOWER_DATA_DIR"] == str(tmp_path / "data")
    assert rows["SHARPPOWER_MIRROR"] == "" and rows["SHARPPOWER_PORT"] == "8000"
    table = CliRunner().invoke(app, ["settings"])
    assert table.exit_code == 0 and "SHARPPOWER_CODEBOOK" in table.stdout
