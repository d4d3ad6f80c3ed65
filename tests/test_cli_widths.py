"""CLI tables at the terminal's width (COLUMNS 80 and 200, through typer's CliRunner):
every number the command computes is printed whole, no line is wider than the terminal,
and a URL takes one line instead of ten."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sharppower.cli import app
from sharppower.index import build_index, load_spec
from sharppower.index.synthetic import REGIONS, synthetic_observations, write_observations

FIXTURES = Path(__file__).parent / "fixtures" / "validity"
YEAR = 2015
LONG_URL = ("https://www.example-monitor.org/reports/2019/04/foreign-information-manipulation/"
            "fake-news-site-cluster-targeting-estonian-russian-speakers-full-dataset.html")


@pytest.fixture(autouse=True)
def fresh_console(monkeypatch):
    """The CLI's consoles as a fresh process has them (rich reads the terminal, else COLUMNS,
    at each print): another test of the same worker may have left a console of fixed width
    bound in a module imported lazily while it was patched, and a COLUMNS left in the
    environment would fix the new console's width at its creation."""
    from rich.console import Console

    from sharppower.cli import common

    monkeypatch.delenv("COLUMNS", raising=False)  # rich fixes a width read at creation
    monkeypatch.delenv("LINES", raising=False)
    monkeypatch.setattr(common, "console", Console())
    monkeypatch.setattr(common, "err_console", Console(stderr=True))


def invoke(args: list[str], width: int):
    result = CliRunner().invoke(app, args, env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.output


def numbers(value) -> list[str]:
    """The numbers of a JSON value as the table prints them (str of the value)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return []
    return [] if math.isnan(value) else [str(value)]


@pytest.fixture
def index_store(tmp_path):
    from sharppower.store import Database

    db = Database(f"sqlite:///{tmp_path / 'store.db'}")
    db.upgrade()
    write_observations(db, synthetic_observations(11, REGIONS, range(2013, 2017)), REGIONS)
    spec = load_spec()
    spec.uncertainty = {**spec.uncertainty, "runs": 20, "sensitivity_runs": 0}
    build_index(db, spec)
    return db


@pytest.mark.parametrize("width", [80, 200])
def test_validate_prints_every_number_whole(index_store, width):
    args = ["validate", "--against", str(FIXTURES / "external_index.csv"), "--actor", "CHN",
            "--year", str(YEAR), "--boot", "100", "--db", index_store.url]
    data = json.loads(invoke([*args, "--json"], width))
    text = invoke(args, width)
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines), max(lines, key=len)
    assert "…" not in text  # nothing cut
    tokens = set(re.findall(r"-?\d+(?:\.\d+)?", text))  # every number printed, whole
    expected = set()
    for table in ("correlations", "disagreements", "internal"):
        for row in data[table]:
            for value in row.values():
                if isinstance(value, float):
                    value = round(value, 3)
                expected.update(numbers(value))
    assert expected, "the validate output has numbers"
    missing = sorted(expected - tokens)
    assert not missing, missing[:10]
    # the n column is filled: each correlation row's n is printed
    for row in data["correlations"]:
        assert str(row["n"]) in tokens
    assert "(continued)" not in text  # each table in one piece, even at 80 columns
    flat = " ".join(text.split())
    for row in data["correlations"]:  # each statistic beside its interval, whole
        if row["spearman"] is not None and row["spearman_low"] is not None:
            r = [round(row[k], 3) for k in ("spearman", "spearman_low", "spearman_high")]
            assert f"{r[0]} [{r[1]}, {r[2]}]" in flat


@pytest.mark.parametrize("width", [80, 200])
def test_evidence_list_keeps_each_url_on_one_line(tmp_path, width):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    for i in range(3):
        invoke(["evidence", "add", "--id", f"w-{i}", "--actor", "RUS", "--target", "EST",
                "--start", f"2019-0{i + 1}", "--title", ("Fake news site cluster targeting "
                "Russian speakers in Estonia before the parliamentary election"),
                "--source-url", f"{LONG_URL}?part={i}", "--publisher", "Example Monitor",
                "--indicator", "sp_info_manipulation", "--narrative", "text",
                "--coder", "alice", "--db", url], width)
    text = invoke(["evidence", "list", "--db", url], width)
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines), max(lines, key=len)
    for i in range(3):
        holding = [line for line in lines if "https://www.example-monitor.org" in line
                   and re.search(rf"\bw-{i}\b", line)]
        assert len(holding) == 1, text  # the URL on its record's line, once
        shown = holding[0].rstrip().split()[-1]
        if shown.endswith("…"):  # cut on one line, never folded
            assert f"{LONG_URL}?part={i}".startswith(shown[:-1]) and len(shown) >= 20
        else:
            assert shown == f"{LONG_URL}?part={i}"
        if width == 200:  # the link keeps 60 characters before the title wraps
            assert len(shown) >= 60
    if width == 200:  # the title on few lines, beside everything else
        assert any("Fake news site cluster targeting Russian speakers in" in line
                   for line in lines), text
    # no line holds only a piece of a folded URL
    assert not [line for line in lines if re.fullmatch(r"\s*[\w./?=-]{20,}\s*", line)]
