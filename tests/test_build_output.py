"""What `sharppower build` tells the analyst: progress per stage and source, a short
summary, and every warning in a log file (its path printed) and in `build_log`.

Built from the starter data alone (no mirror), so most sources are skipped with a warning."""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sharppower import pipeline
from sharppower.cli import app, common


def _url(db) -> str:
    if db.is_sqlite:
        return db.url
    return os.environ["SHARPPOWER_TEST_POSTGRES_URL"] + f"?options=-csearch_path%3D{db.schema}"


@pytest.fixture
def cli_build(tmp_path, monkeypatch, db):
    """`sharppower build` on `db` with a fresh data folder and no mirror, at 80 columns."""
    monkeypatch.setenv("SHARPPOWER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SHARPPOWER_MIRROR", raising=False)
    monkeypatch.delenv("SHARPPOWER_DATABASE_URL", raising=False)
    for console in (common.console, common.err_console):
        monkeypatch.setattr(console, "_width", 80)
    return lambda *args: CliRunner().invoke(app, ["build", "--db", _url(db), *args])


def test_build_prints_a_short_summary_and_logs_every_warning(cli_build, db, tmp_path):
    result = cli_build()
    assert result.exit_code == 0, result.output
    out = result.output
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) <= 10, out  # not one line per warning
    assert not any(line.startswith("warning") for line in lines)
    words = " ".join(out.split())
    assert re.search(r"Built in \d+\.\d s: \d+ sources and tables \(.*skipped.*\)", words)
    assert "Stages: reference" in out and "index" in out
    found = re.search(r"(\d+) warnings from (\d+) sources .*all of them in\s+(\S+\.log)",
                      out.replace("\n", " "))
    assert found, out
    log = Path(found.group(3))
    assert log.is_file() and log.parent == tmp_path / "data" / "logs"
    logged = log.read_text("utf-8").splitlines()[1:]
    assert len(logged) == int(found.group(1)) > 0
    assert any(line.startswith("freedom-house: no snapshot: run `sharppower pull`") for line in logged)
    row = db.read("SELECT warnings, details, status FROM build_log WHERE step = 'build'")
    assert len(row) == 1 and row["status"][0] == "ok"
    assert json.loads(row["warnings"][0]) == logged
    assert json.loads(row["details"][0])["log"] == str(log)


def test_details_adds_the_table_of_sources(cli_build):
    result = cli_build("--details")
    assert result.exit_code == 0, result.output
    assert "Build summary" in result.output and "freedom-house" in result.output
    table = [line for line in result.output.splitlines() if line.startswith(("source", "vdem"))]
    assert len(table) == 2 and "warnings" in table[0] and "skipped" in table[1]
    assert all(len(line) <= 80 for line in result.output.splitlines() if not line.endswith(".log"))


def test_build_reports_each_stage_and_source(db, conf):
    stages, items = [], []
    pipeline.build(replace(conf, mirror=None, store_profiles=True), db,
                   stage=lambda *a: stages.append(a), progress=lambda *a: items.append(a))
    names = pipeline.stage_names()
    n = len(names)  # the stages, the stored country profiles last
    assert stages == [*((name, i, n) for i, name in enumerate(names)), ("done", n, n)]
    assert sorted(names) == sorted(["reference", "sources", "opinion", "starter", "evidence",
                                    "index", "profiles"])
    assert names[:2] == ["reference", "sources"] and names[-2:] == ["index", "profiles"]
    observed = db.scalar("SELECT COUNT(DISTINCT target) FROM observations")
    assert ("profiles", observed, observed) in items
    sources = [label for label, _, _ in items if label.startswith("sources: ")]
    assert "sources: freedom-house" in sources and "sources: vdem" in sources
    logged = db.read("SELECT warnings, details FROM build_log WHERE step = 'build'")
    assert json.loads(logged["details"][0])["log"] is None  # no file unless asked
    assert any("no snapshot" in w for w in json.loads(logged["warnings"][0]))
