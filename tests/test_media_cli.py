"""`sharppower media synth|match|report|import` end to end on a small synthetic corpus."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from sharppower.cli import app
from sharppower.store import Database

runner = CliRunner()


def _run(*args: str):
    result = runner.invoke(app, ["media", *args])
    assert result.exit_code == 0, result.output
    return result


def test_synth_match_report_import(tmp_path):
    corpus = tmp_path / "corpus"
    _run("synth", "--out", str(corpus), "--local", "300", "--gz", "--seed", "3")
    wire, local = corpus / "wire.jsonl.gz", corpus / "local.jsonl.gz"
    out = tmp_path / "m.jsonl"
    done = _run("match", "--wire", str(wire), "--local", str(local), "--out", str(out), "--workers", "1")
    n = sum(1 for _ in out.open())
    assert n > 5 and f"{n} matches among 300 local" in done.output
    report = json.loads(_run("report", "--matches", str(out), "--local", str(local), "--json").output)
    assert report["weighting"] == "articles"
    assert {c["country"] for c in report["countries"]} >= {"GHA", "KEN", "UGA"}
    assert sum(o["reused"] for o in report["outlets"]) <= n
    url = f"sqlite:///{tmp_path / 's.db'}"
    imported = json.loads(_run("import", "--matches", str(out), "--local", str(local), "--db", url,
                               "--run", "synthetic", "--json").output)
    assert imported["observations"] == len(report["countries"])
    assert Database(url).scalar("SELECT COUNT(*) FROM media_pairs WHERE run = 'synthetic'") == n


def test_bad_input_is_a_clear_error_and_no_file(tmp_path):
    local = tmp_path / "l.jsonl"
    local.write_text('{"id": "a", "outlet": "o", "country": "KEN", "date": "2022-01-01", "text": "t"}\n'
                     '{"id": "b", "outlet": "o", "country": "KEN", "date": "2022-01-01"}\n', "utf-8")
    result = runner.invoke(app, ["media", "match", "--wire", str(local), "--local", str(local),
                                 "--out", str(tmp_path / "m.jsonl")])
    assert result.exit_code == 1
    said = " ".join(result.output.split())  # wrapped at the terminal width after the path
    assert "line 2, field 'text': missing value" in said
    assert not (tmp_path / "m.jsonl").exists()
    result = runner.invoke(app, ["media", "match", "--wire", str(local), "--local", str(local),
                                 "--out", str(tmp_path / "m.jsonl"), "--engine", "dask"])
    assert result.exit_code == 1 and "must be one of local, spark" in result.output
