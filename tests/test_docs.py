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
