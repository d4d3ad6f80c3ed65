"""`sharppower evidence` FIMI commands end to end (both backends): technique coding and
filters, the DISARM listing, STIX export with filters and import of a partner bundle."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from typer.testing import CliRunner

from sharppower.cli import app
from sharppower.measures.evidence import disarm
from sharppower.sources.connectors.disarm import BUNDLE, MASTER, parse_files

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures" / "fimi"


def run(db, *args, ok=True):
    url = db.engine.url.render_as_string(hide_password=False)
    if db.schema:
        url += "?options=" + quote(f"-csearch_path={db.schema}")
    result = runner.invoke(app, ["evidence", *args, "--db", url])
    if ok:
        assert result.exit_code == 0, result.output
    return result


def test_fimi_commands(db, tmp_path):
    bad = run(db, "add", "--actor", "RUS", "--target", "EST", "--start", "2019", "--title", "x",
              "--source-url", "https://example.org/x", "--technique", "T0086", ok=False)
    assert bad.exit_code != 0 and "techniques" in bad.output and "not loaded" in bad.output
    with db.begin() as conn:
        disarm.load_framework(conn, parse_files(FIXTURES / BUNDLE, FIXTURES / MASTER))
    listing = json.loads(run(db, "disarm", "--tactic", "TA06", "--json").output)
    assert {r["disarm_id"] for r in listing} == {"TA06", "T0085", "T0086", "T0086.002"}
    run(db, "add", "--id", "ev-x", "--actor", "RUS", "--target", "EST", "--start", "2019",
        "--title", "Deepfake", "--source-url", "https://example.org/x", "--technique", "T0086.002",
        "--coder", "ana")
    run(db, "code", "ev-x", "--technique", "T0086", "--coder", "ben")
    agree = json.loads(run(db, "agreement", "--scheme", "techniques", "--json").output)
    assert {r["indicator"] for r in agree["per_indicator"]} == {"T0086", "T0086.002"}
    found = json.loads(run(db, "list", "--tactic", "TA06", "--json").output)
    assert [r["id"] for r in found] == ["ev-x"] and found[0]["techniques"] == ["T0086.002"]
    assert json.loads(run(db, "list", "--technique", "T0049", "--json").output) == []
    out = tmp_path / "bundle.json"
    run(db, "export", "--format", "stix", "--actor", "RUS", "--target", "EST", "--out", str(out))
    kinds = [o["type"] for o in json.loads(out.read_text())["objects"]]
    assert kinds.count("incident") == 1 and kinds.count("attack-pattern") == 1
    refused = run(db, "export", "--format", "csv", "--actor", "RUS", ok=False)
    assert refused.exit_code != 0
    partner = run(db, "import", "--format", "stix", str(FIXTURES / "partner_bundle.json"),
                  "--coder", "dana")
    assert "3 inserted" in partner.output and "not used: 1 campaign" in partner.output
