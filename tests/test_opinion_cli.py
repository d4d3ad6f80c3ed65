"""`sharppower opinion ...` on a store built from the mirror (SQLite)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sharppower.cli import app
from sharppower.cli.opinion import CHANGE_FIELDS, SHOW_FIELDS, sparkline
from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.pipeline import BuildContext, load_snapshot, run_steps
from sharppower.settings import Settings
from sharppower.sources.connectors import pew
from sharppower.sources.snapshot import pull
from sharppower.store import Database

MIRROR = os.environ.get("SHARPPOWER_MIRROR")
FIXTURES = Path(__file__).parent / "fixtures" / "opinion"
runner = CliRunner()


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> str:
    if not MIRROR:
        pytest.skip("no mirror (SHARPPOWER_MIRROR)")
    root = tmp_path_factory.mktemp("cli")
    conf = Settings(data_dir=root, database_url=f"sqlite:///{root / 'store.db'}",
                    mirror=Path(MIRROR))
    db = Database(conf.database_url)
    db.upgrade()
    ctx = BuildContext(conf, db, load_codebook(), resolver())
    snapshot, _ = pull(conf, pew.SOURCE)
    load_snapshot(ctx.load_context, pew.SOURCE, snapshot)
    run_steps(ctx, names=["opinion"])
    db.dispose()
    return conf.database_url


def run(*args: str):
    return runner.invoke(app, ["opinion", *args])


def test_show_json_fields(store_url):
    result = run("show", "--actor", "CHN", "--public", "SWE", "--year", "2022", "--json",
                 "--db", store_url)
    assert result.exit_code == 0, result.output
    [record] = json.loads(result.stdout)
    assert list(record) == [*SHOW_FIELDS, *CHANGE_FIELDS]
    assert SHOW_FIELDS == [
        "actor", "public", "year", "n", "favorable", "unfavorable", "very_unfavorable", "net",
        "dk", "unfavorable_ci_low", "unfavorable_ci_high", "favorable_ci_low",
        "favorable_ci_high", "flags"]
    assert (record["actor"], record["public"], record["year"], record["n"]) == ("CHN", "SWE", 2022, 1029)
    assert abs(record["unfavorable"] - 83) <= 1
    assert record["unfavorable_ci_low"] < record["unfavorable"] < record["unfavorable_ci_high"]
    assert record["favorable_ci_low"] < record["favorable"] < record["favorable_ci_high"]
    assert record["flags"] == []
    total = record["favorable"] + record["unfavorable"] + record["dk"]
    assert abs(total - 100) < 0.02  # percent, rounded to 2 decimals


def test_show_json_has_the_changes_the_table_shows(store_url, wide_console):
    args = ("show", "--actor", "CHN", "--public", "SWE", "--base-year", "2007", "--db", store_url)
    records = {r["year"]: r for r in json.loads(run(*args, "--json").stdout)}
    r2016 = records[2016]
    assert r2016["base_year"] == 2007 and r2016["unfavorable_prev_year"] in records
    assert r2016["unfavorable_change"] == pytest.approx(
        r2016["unfavorable"] - records[r2016["unfavorable_prev_year"]]["unfavorable"], abs=0.02)
    assert r2016["unfavorable_change_base"] == pytest.approx(
        r2016["unfavorable"] - records[2007]["unfavorable"], abs=0.02)
    assert r2016["unfavorable_change_base_significant"] is True
    assert records[2007]["unfavorable_change"] is None  # the first wave has no change
    table = run(*args).output
    assert "Δ vs 2007" in table
    for r in records.values():  # every change in the JSON is the one in the table
        if r["unfavorable_change_base"] is not None:
            star = "*" if r["unfavorable_change_base_significant"] else ""
            assert f"{r['unfavorable_change_base']:+.1f}{star}" in table
        if r["unfavorable_change"] is not None:
            assert f"{r['unfavorable_change']:+.1f}" in table


def test_show_series_flags_the_defective_wave(store_url):
    result = run("show", "--actor", "chn", "--public", "jpn", "--json", "--db", store_url)
    records = {r["year"]: r for r in json.loads(result.stdout)}
    assert records[2013]["flags"] == ["suspect", "lockstep"]
    assert records[2012]["flags"] == [] and len(records) == 18


@pytest.fixture
def wide_console(monkeypatch):
    """A console 200 columns wide (the shared one may have fixed its width at import)."""
    from rich.console import Console

    from sharppower.cli import common
    from sharppower.cli import opinion as opinion_cli

    wide = Console(width=200)
    monkeypatch.setattr(common, "console", wide)
    monkeypatch.setattr(opinion_cli, "console", wide)


def test_show_table_has_intervals_and_trend_line(store_url, wide_console):
    result = run("show", "--actor", "CHN", "--public", "SWE", "--db", store_url)
    assert result.exit_code == 0, result.output
    assert "82.9 [80-86]" in result.output  # 2022 unfavourable with its 95% interval
    assert "+18.9*" in result.output  # 2007 -> 2016, significant
    assert "unfavourable 2007-2023:" in result.output
    assert any(ch in result.output for ch in "▁▂▃▄▅▆▇█")


def test_medians(store_url, wide_console):
    result = run("medians", "--actor", "CHN", "--year", "2022", "--json", "--db", store_url)
    [row] = json.loads(result.stdout)
    assert (row["actor"], row["year"], row["publics"]) == ("CHN", 2022, 18)
    assert 60 < row["unfavorable"] < 70
    table = run("medians", "--actor", "CHN", "--year", "2022", "--db", store_url)
    assert "Medians across publics" in table.output


def test_flags_command(store_url):
    result = run("flags", "--json", "--db", store_url)
    found = json.loads(result.stdout)
    assert {"lockstep", "duplicate-public"} == {f["check"] for f in found}


def test_import_toplines_command(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    ok = run("import-toplines", str(FIXTURES / "toplines_influence.csv"), "--db", url)
    assert ok.exit_code == 0, ok.output
    assert "pew-toplines: loaded, 3 observations" in ok.output
    bad = tmp_path / "bad.csv"
    bad.write_text((FIXTURES / "toplines_influence.csv").read_text().replace(",66,", ",101,"))
    failed = run("import-toplines", str(bad), "--db", url)
    assert failed.exit_code == 1
    assert "bad.csv, row 5, field 'percent'" in failed.output


def test_sparkline():
    assert sparkline([0, 50, 100]) == "▁▅█"
    assert sparkline([0, 50, 100], suspect=[False, True, False]) == "▁×█"


def test_show_against_a_base_year_and_suspect_wave(store_url, wide_console):
    result = run("show", "--actor", "CHN", "--public", "JPN", "--base-year", "2012",
                 "--db", store_url)
    assert result.exit_code == 0, result.output
    assert "Δ vs 2012" in result.output
    assert "+6.2*" in result.output  # 2014 against 2012 (the suspect 2013 is skipped)
    assert "▇×█" in result.output  # 2012, suspect 2013, 2014 on the trend line


def test_import_wave_command(tmp_path):
    import pandas as pd
    import pyreadstat
    import yaml

    url = f"sqlite:///{tmp_path / 'store.db'}"
    sav, mapping = tmp_path / "wave.sav", tmp_path / "mapping.yaml"
    frame = pd.DataFrame({"country": [1.0, 1.0], "wt": [1.0, 1.0], "fav_china": [1.0, 4.0]})
    pyreadstat.write_sav(frame, str(sav), variable_value_labels={"country": {1: "Sweden"}})
    spec = {"year": 2024, "public_column": "country", "weight_column": "weight",
            "items": {"CHN": "fav_china"}, "responses": {1: "Very favorable", 4: "Very unfavorable"}}
    mapping.write_text(yaml.safe_dump(spec))
    failed = run("import-wave", str(sav), "--mapping", str(mapping), "--db", url)
    assert failed.exit_code == 1
    assert "wave.sav, row header, field 'weight'" in failed.output
    mapping.write_text(yaml.safe_dump({**spec, "weight_column": "wt"}))
    ok = run("import-wave", str(sav), "--mapping", str(mapping), "--db", url)
    assert ok.exit_code == 0, ok.output
    assert "wave.sav: loaded, 4 observations, 1 publics, 2024-2024" in ok.output


def test_show_table_fits_80_columns(store_url, monkeypatch):
    from rich.console import Console

    from sharppower.cli import common
    from sharppower.cli import opinion as opinion_cli

    narrow = Console(width=80)
    monkeypatch.setattr(common, "console", narrow)
    monkeypatch.setattr(opinion_cli, "console", narrow)
    result = run("show", "--actor", "CHN", "--public", "SWE", "--base-year", "2007",
                 "--db", store_url)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line) <= 80 for line in lines)
    row = next(line for line in lines if line.startswith("2022 "))
    assert "82.9 [80-86]" in row and "+42.3*" in row  # whole, on the year's line
    assert "+18.0*↑" in result.output and "↑ = historic high" in " ".join(result.output.split())
