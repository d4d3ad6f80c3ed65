"""Issue 23: degenerate intervals are not shown as if meaningful, and a rank interval reads
the same in the CLI and on the web (`sharppower.index.reading`)."""

from __future__ import annotations

import pandas as pd
import pytest
from test_web_support import INDEX_CODES, add_index_inputs, client, make_app
from typer.testing import CliRunner

from sharppower.index.reading import rank_interval, reading, tie_counts
from sharppower.store.database import insert_rows
from sharppower.store.tables import observations


def test_binary_event_count_and_ordinary_intervals():
    bri = reading(0.0, 0.0, 100.0, 138, 1, 138, n_ranked=138)  # a yes/no indicator
    assert bri["interval"] == "" and "whole 0-100 scale" in bri["note"]
    assert bri["rank"] == "138 (any rank: 1-138)"
    count = reading(13.74, 13.74, 13.74, 41, 41, 41, n_ranked=138)  # no error estimate
    assert count["interval"] == "" and "no uncertainty interval" in count["note"]
    assert count["rank"] == "41"
    usual = reading(24.97, 20.1, 30.55, 26, 25.4, 181.2, n_ranked=182)
    assert usual == {"value": "24.97", "interval": "20.10 to 30.55", "rank": "26 (25-182)",
                     "note": ""}
    tie = reading(0.0, 0.0, 0.0, 52, 51, 82, tied=30, n_ranked=138)
    assert tie["rank"] == "tied at 0 with 30 others"
    assert reading(None)["rank"] == "" and reading(None)["value"] == ""


def test_one_rank_interval_formatting_rounds_outward_and_holds_the_rank():
    assert rank_interval(3, 3.95, 7.2) == "3 (3-8)"  # never "3.95"
    assert rank_interval(26, 25.6, 182.0) == "26 (25-182)"
    assert rank_interval(5, 6.0, 9.0) == "5 (5-9)"  # widened to hold the rank
    assert rank_interval(4, None, 9) == "4" and rank_interval(None, 1, 2) == ""


def test_ties_are_counted_per_ranking():
    frame = pd.DataFrame({"year": [2020] * 4 + [2021] * 2, "target": list("ABCDAB"),
                          "value": [0.0, 0.0, 0.0, 5.0, 0.0, 1.0]})
    assert tie_counts(frame).tolist() == [2, 2, 2, 0, 0, 0]
    frame.loc[3, "value"] = None
    assert tie_counts(frame).tolist() == [2, 2, 2, 0, 0, 0]


def test_profile_tie_counts_are_the_rankings_tie_counts():
    """The profile's per-node tie count (`web.actorscores._count_ties`, plain records) is
    `tie_counts` on the same ranking: ties at zero, values within and beyond the tolerance,
    missing values."""
    import numpy as np

    from sharppower.index.reading import TIE_TOLERANCE
    from sharppower.web.actorscores import _count_ties

    rng = np.random.default_rng(7)
    for _ in range(50):
        n = int(rng.integers(1, 40))
        values = rng.choice([0.0, 0.0, 12.5, 40.0, 40.0 + TIE_TOLERANCE / 2,
                             40.0 + 3 * TIE_TOLERANCE, np.nan], size=n)
        values = np.where(rng.random(n) < 0.3, rng.random(n) * 100, values)
        rows = [{"value": None if np.isnan(v) else float(v)} for v in values]
        _count_ties(rows)
        expected = tie_counts(pd.DataFrame({"year": 2020, "value": values}))
        assert [r["tied"] for r in rows] == expected.tolist()


@pytest.fixture
def tied_store(demo_db, conf):
    """The web fixture's index inputs plus UGA and TZA at zero on every input: both score
    0 in every run, tied."""
    from sharppower.index.build import build_index

    add_index_inputs(demo_db)
    rows = [{"actor": "CHN", "target": t, "year": 2021, "indicator": code, "value": 0.0,
             "source": "test-fixture", "source_file": __file__, "source_row": t}
            for t in ("UGA", "TZA") for code in INDEX_CODES]
    with demo_db.begin() as conn:
        insert_rows(conn, observations, rows)
    build_index(demo_db, runs=20, seed=1)
    return demo_db, client(make_app(conf, demo_db))


def test_tie_at_zero_is_said_on_profile_map_and_cli(tied_store):
    from sharppower.cli import app

    db, web = tied_store
    chn = next(b for b in web.get("/country/UGA.json?year=2021").json()["by_actor"]
               if b["actor"] == "CHN")
    index = next(s for s in chn["scores"] if s["node"] == "influence")
    assert index["value"] == 0 and index["rank_text"] == "tied at 0 with 1 other"
    assert "tied at 0 with 1 other" in web.get("/country/UGA?year=2021").text
    shown = web.get("/map.json?actor=CHN&measure=index:index:influence&year=2021").json()
    by = {r["target"]: r for r in shown["values"]}
    assert by["TZA"]["rank_text"] == "tied at 0 with 1 other"
    assert "tied" not in by["KEN"]["rank_text"]
    from sharppower.index.report import target_report

    said = {r["target"]: r["said"]["rank"] for r in target_report(db, "CHN", 2021)}
    assert said["UGA"] == said["TZA"] == "tied at 0 with 1 other"
    assert said["KEN"] == by["KEN"]["rank_text"]  # one formatting, CLI and web
    if not db.url.startswith("sqlite"):
        return  # the CLI's --db takes a URL, not the test's PostgreSQL schema
    out = CliRunner().invoke(app, ["index", "show", "--actor", "CHN", "--year", "2021",
                                   "--db", db.url], env={"COLUMNS": "160"})
    assert out.exit_code == 0, out.output
    assert out.output.count("tied at 0 with 1 other") == 2
    assert by["KEN"]["rank_text"] in out.output
