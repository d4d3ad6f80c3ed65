"""The command line for sources: --version, sources list, pull (--update), build summary,
and clear errors for bad input (exit code 1)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sharppower import __version__
from sharppower.cli import app, common
from sharppower.pipeline import discover, reference
from sharppower.sources.registry import SOURCES
from sharppower.sources.steps import source_step

CONTEXT = ["freedom-house", "vdem", "wgi", "aiddata-gcdf", "confucius-institutes", "cow-trade",
           "aiddata-public-diplomacy"]


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Invoke the CLI with a temporary data folder (and the mirror, when there is one)."""
    monkeypatch.setenv("SHARPPOWER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SHARPPOWER_DATABASE_URL", raising=False)
    for console in (common.console, common.err_console):  # wide tables: one line per row
        monkeypatch.setattr(console, "_width", 250)
    runner = CliRunner()

    def invoke(*args: str, mirror: Path | None = None):
        if mirror is not None:
            monkeypatch.setenv("SHARPPOWER_MIRROR", str(mirror))
        return runner.invoke(app, list(args))

    return invoke


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"sharppower {__version__}"


def test_sources_list_table_and_json(run):
    table = run("sources", "list")
    assert table.exit_code == 0
    for name in CONTEXT:
        assert name in table.output
    data = json.loads(run("sources", "list", "--json").stdout)
    by_name = {s["name"]: s for s in data}
    assert set(by_name) == set(SOURCES)
    fh = by_name["freedom-house"]
    url = "https://freedomhouse.org/sites/default/files/2024-02/All_data_FIW_2013-2024.xlsx"
    assert fh["urls"] == [url]
    assert fh["licence"] and fh["citation"].startswith("Freedom House")
    assert by_name["cow-trade"]["files"] == [f.name for f in SOURCES["cow-trade"].files]


def test_pull_copies_from_mirror_with_provenance(run, mirror, tmp_path):
    first = run("pull", "wgi", "aiddata-gcdf", mirror=mirror)
    assert first.exit_code == 0, first.output
    assert "wgi: updated" in first.output and "aiddata-gcdf: updated" in first.output
    record = json.loads((tmp_path / "data/snapshots/wgi/provenance.json").read_text("utf-8"))
    meta = record["files"]["wgi_estimates_wide_1996_2019.csv"]
    assert meta["via"] == "mirror:wgi/wgi_estimates_wide_1996_2019.csv" and len(meta["sha256"]) == 64
    again = run("pull", "wgi", mirror=mirror)
    assert again.exit_code == 0 and "wgi: unchanged" in again.output


def test_pull_refuses_a_changed_file_unless_update(run, mirror, tmp_path):
    assert run("pull", "wgi", mirror=mirror).exit_code == 0
    stored = tmp_path / "data/snapshots/wgi/wgi_estimates_wide_1996_2019.csv"
    original = stored.read_bytes()
    newer = tmp_path / "newer"
    (newer / "wgi").mkdir(parents=True)
    (newer / "wgi/wgi_estimates_wide_1996_2019.csv").write_bytes(original.replace(b"ABW,", b"ABW,", 1)
                                                                 + b"ABW,Aruba,2020,,,,,,\n")  # a valid new row
    refused = run("pull", "wgi", mirror=newer)
    assert refused.exit_code == 1
    assert "changed since the stored snapshot" in refused.output and "--update" in refused.output
    assert stored.read_bytes() == original
    updated = run("pull", "wgi", "--update", mirror=newer)
    assert updated.exit_code == 0 and "wgi: updated" in updated.output
    assert stored.read_bytes().endswith(b"ABW,Aruba,2020,,,,,,\n")


def test_unknown_source_is_a_clear_error(run, tmp_path):
    result = run("pull", "no-such-source", mirror=tmp_path)
    assert result.exit_code == 1
    assert "unknown source 'no-such-source'" in result.output
    assert "freedom-house" in result.output  # the message lists the known sources
    assert "Traceback" not in result.output


def test_pull_without_the_file_in_the_mirror_is_a_clear_error(run, tmp_path):
    result = run("pull", "vdem", mirror=tmp_path / "empty")
    assert result.exit_code == 1
    assert "vdem/vdem_v14_core_2000_2023.csv is not in the mirror" in result.output


def _url(db) -> str:
    """A URL the CLI can open for the `db` fixture's store (its schema on PostgreSQL)."""
    if db.is_sqlite:
        return db.url
    return (os.environ["SHARPPOWER_TEST_POSTGRES_URL"]
            + f"?options=-csearch_path%3D{db.schema}")


@pytest.fixture
def source_steps(monkeypatch):
    """`build` limited to the reference step and the context sources (the measures and
    their sources have their own tests)."""
    def limit(names: list[str]) -> None:
        monkeypatch.setattr(discover, "all_steps", lambda: [
            *reference.STEPS, *(source_step(SOURCES[n]) for n in names)])

    limit(CONTEXT)
    return limit


def summary_lines(output: str) -> dict[str, str]:
    """Rows of the build summary table by source name."""
    return {line.split()[0]: line for line in output.splitlines() if line.strip()}


def test_build_summary_and_incremental_rebuild(run, mirror, db, source_steps):
    first = run("build", "--db", _url(db), "--details", mirror=mirror)
    assert first.exit_code == 0, first.output
    out = first.output
    assert "Build summary" in out
    header = next(line for line in out.splitlines() if "source" in line and "warnings" in line)
    for column in ("source", "status", "rows", "countries", "years", "warnings"):
        assert column in header
    lines = summary_lines(out)
    for name in CONTEXT:
        assert "loaded" in lines[name], name
    assert "2012-2023" in lines["freedom-house"] and "1870-2014" in lines["cow-trade"]
    log = Path(re.search(r"all of them in\s+(\S+\.log)", out.replace("\n", " ")).group(1))
    logged = log.read_text("utf-8")
    assert "freedom-house: " in logged and "skipped 'Abkhazia'" in logged  # territories
    rows = db.read("SELECT source, COUNT(*) AS n FROM observations GROUP BY source")
    counts = dict(zip(rows["source"], rows["n"]))
    for name in CONTEXT:
        assert f" {counts[name]} " in lines[name], name
    second = run("build", "--db", _url(db), "--details", mirror=mirror)
    assert second.exit_code == 0
    again = summary_lines(second.output)
    for name in CONTEXT:  # unchanged, and the summary still says what the store holds
        assert "unchanged" in again[name], name
        assert f" {counts[name]} " in again[name], name
    after = db.read("SELECT source, COUNT(*) AS n FROM observations GROUP BY source")
    assert dict(zip(after["source"], after["n"])) == counts


def test_build_with_a_corrupted_snapshot_fails_clearly(run, mirror, db, tmp_path, source_steps):
    source_steps(["freedom-house", "aiddata-public-diplomacy"])  # a small good source too
    bad = tmp_path / "bad-mirror"
    (bad / "aiddata_public_diplomacy").mkdir(parents=True)
    name = "aiddata_public_diplomacy/chinese_public_diplomacy_country_year.csv"
    text = (mirror / name).read_text("utf-8").splitlines()
    text[5] = text[5].replace(",", ",x", 1)  # row 6: a country name followed by a bad year
    (bad / name).write_text("\n".join(text) + "\n", "utf-8")
    assert run("pull", "aiddata-public-diplomacy", mirror=bad).exit_code == 0
    result = run("build", "--db", _url(db), mirror=mirror)
    assert result.exit_code == 1
    assert "chinese_public_diplomacy_country_year.csv, row 6, field 'year'" in result.output
    assert db.scalar("SELECT COUNT(*) FROM observations WHERE source = 'aiddata-public-diplomacy'") == 0
    # the good source of the same build is stored: nothing already loaded is lost
    assert db.scalar("SELECT COUNT(*) FROM observations WHERE source = 'freedom-house'") > 10_000
