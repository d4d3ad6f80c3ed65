"""End to end on a store of realistic synthetic observations (SQLite and PostgreSQL): the
build, stored scores with rank intervals, the input rules, the incremental build step,
the dashboard's live recomputation, export, and the CLI."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from sharppower.cli import app
from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.errors import NotFound
from sharppower.index import (
    build_index,
    export_scores,
    latest_run,
    load_spec,
    run_index,
    scores,
    stored_sensitivity,
)
from sharppower.index.store import score_records, scored_years
from sharppower.index.synthetic import REGIONS, synthetic_observations, write_observations
from sharppower.pipeline import BuildContext, run_steps
from sharppower.store import Database
from sharppower.store.tables import observations

TARGETS = dict(list(REGIONS.items())[:24])
YEARS = range(2011, 2017)


def _store(db: Database, seed: int = 5) -> pd.DataFrame:
    obs = synthetic_observations(seed, TARGETS, YEARS)
    starter = obs[(obs["indicator"] == "att_unfavorable") & (obs["actor"] == "CHN")].head(1)
    obs = pd.concat([obs, starter.assign(value=1.0, source="starter")], ignore_index=True)
    write_observations(db, obs, TARGETS)
    return obs


def _spec(runs: int = 80):
    spec = load_spec()
    spec.uncertainty = {**spec.uncertainty, "runs": runs}
    return spec


def test_build_stores_scores_and_rank_intervals_for_both_actors(db):
    obs = _store(db)
    write_observations(db, pd.DataFrame([  # Fiji, for Russia: UN voting only
        {"actor": "RUS", "target": "FJI", "year": y, "indicator": "eff_unga_agreement",
         "value": 0.8, "source": "synthetic"} for y in YEARS]), {"FJI": "Oceania"})
    built = build_index(db, _spec())
    stored = scores(db, level=None)
    assert built.run_id == int(latest_run(db)["id"])
    levels = stored.groupby(["actor", "level"])["node"].unique().apply(set).to_dict()
    assert levels[("CHN", "index")] == {"influence"}
    assert levels[("CHN", "pillar")] == {"attraction", "exposure", "pressure", "effect",
                                         "resilience"}
    rus_domains = set(stored[(stored["actor"] == "RUS") & (stored["level"] == "domain")]["node"])
    assert "institutes" not in rus_domains  # no Confucius Institutes for Russia
    assert {"trade_dependence", "arms_dependence", "un_alignment"} <= rus_domains
    assert set(stored["year"]) == set(YEARS)
    assert (stored["rank_low"] <= stored["rank"]).all() and (stored["rank"] <= stored["rank_high"]).all()
    assert (stored["rank"] <= stored["n_ranked"]).all()
    assert stored["coverage"].between(0, 1, inclusive="right").all()
    # ranks follow scores within each actor x year and node
    for _, g in stored.groupby(["actor", "year", "node"]):
        assert (np.diff(g.sort_values("score", ascending=False)["rank"]) >= 0).all()
    # the stored influence equals the run's numbers
    run = built.run
    chn = stored[(stored["actor"] == "CHN") & (stored["node"] == "influence")]
    mine = run.scores["influence"].dropna().loc["CHN"]
    got = chn.set_index(["target", "year"])["score"]
    assert np.allclose(got.loc[mine.index], mine)
    # input rules: suspect rows skipped, starter replaced by the real value
    bad = obs[obs["flags"].fillna("").str.contains("suspect")].iloc[0]
    cell = run.inputs.values.loc[(bad["actor"], bad["target"], bad["year"]), bad["indicator"]]
    assert cell != 99.0 and run.inputs.notes["skipped_flagged"] == 3
    assert run.inputs.notes["starter_replaced"] == 1
    summary = latest_run(db)["summary"]
    assert "warnings" in summary
    # a target with one component only is screened out of the index, with the reason
    screened = pd.read_sql(sa.text("SELECT * FROM index_screening"), db.engine)
    sparse = screened[(screened["item"] == "FJI") & (screened["actor"] == "RUS")]
    assert summary["screened"]["units"] > 0 and set(sparse["year"]) == set(YEARS)
    assert "influence" in set(sparse["node"]) and "FJI" not in set(
        stored[(stored["actor"] == "RUS") & (stored["level"] == "index")]["target"])
    # one year's records and one target's scored years are read actor by actor (the run's
    # summary names its actors, for the indexes' seek) and are the run's rows; so are they
    # when a run's summary names none (read whole)
    assert summary["actors"] == sorted(set(stored["actor"]))
    key = ["actor", "target", "node"]
    whole = stored[stored["year"] == 2013].sort_values(key).reset_index(drop=True)
    pairs = stored[stored["target"] == "FJI"][["actor", "target", "year"]].drop_duplicates()

    def year_read() -> pd.DataFrame:
        got = pd.DataFrame(score_records(db, 2013)).sort_values(key).reset_index(drop=True)
        return got.astype(whole.dtypes.to_dict())[list(whole.columns)]

    def target_read() -> list:
        return sorted(map(tuple, scored_years(db, "FJI").astype({"year": int}).to_numpy()))

    expected_pairs = sorted(map(tuple, pairs.to_numpy()))
    assert len(whole) > 100 and expected_pairs
    pd.testing.assert_frame_equal(year_read(), whole)
    assert target_read() == expected_pairs
    with db.begin() as conn:
        conn.execute(sa.text("UPDATE index_runs SET summary = :s"),
                     {"s": json.dumps({k: v for k, v in summary.items() if k != "actors"})})
    pd.testing.assert_frame_equal(year_read(), whole)
    assert target_read() == expected_pairs


def test_direction_reverses_negative_indicators_in_the_stored_pillars(db):
    _store(db, seed=8)
    build_index(db, _spec(20))
    ind = pd.read_sql(sa.text("SELECT * FROM index_indicators"), db.engine)
    corr = ind.set_index(["actor", "indicator"])["correlation"]
    # the more corruption, the less resilience: reversed, it correlates positively
    assert corr.loc[("CHN", "res_vdem_corruption")] > 0.5
    assert corr.loc[("CHN", "att_unfavorable")] > 0.5
    assert pd.isna(ind.set_index(["actor", "indicator"]).loc[("CHN", "res_vdem_corruption"),
                                                              "warning"])


def test_negative_correlation_is_a_warning(db):
    obs = _store(db)
    flip = obs["indicator"] == "res_wgi_corruption"
    with db.begin() as conn:
        conn.execute(sa.delete(observations))
    write_observations(db, obs.assign(value=np.where(flip, -obs["value"], obs["value"])), TARGETS)
    built = build_index(db, _spec(20))
    assert any("res_wgi_corruption" in w and "negatively" in w for w in built.summary["warnings"])


def test_build_step_is_incremental(db, conf):
    _store(db)
    ctx = BuildContext(replace(conf, mirror=None), db, load_codebook(), resolver())
    first, = run_steps(ctx, names=["index"])
    second, = run_steps(ctx, names=["index"])
    assert (first.status, second.status) == ("loaded", "unchanged")
    with db.begin() as conn:
        conn.execute(observations.insert(), [{"actor": "CHN", "target": "AUS", "year": 2016,
                                              "indicator": "prs_recorded_interference", "value": 9.0,
                                              "source": "synthetic"}])
    third, = run_steps(ctx, names=["index"])
    assert third.status == "loaded"
    book = load_codebook()
    book.territories = {**book.territories, "RUS": ["ABW"]}  # the codebook's actors changed
    fourth, = run_steps(BuildContext(replace(conf, mirror=None), db, book, resolver()),
                        names=["index"])
    assert fourth.status == "loaded"


def test_live_recompute_for_one_actor_year_matches_the_full_run(db):
    _store(db)
    spec = _spec(10)
    full = run_index(db, spec, {"weight.weights.pressure": 3.0})
    quick = run_index(db, spec, {"weight.weights.pressure": 3.0}, actor="CHN", year=2014)
    assert set(quick.inputs.units.get_level_values("year")) == {2014}
    a = quick.long(level="index")
    b = full.long(level="index", year=2014, actor="CHN")
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    nominal = run_index(db, spec, actor="CHN", year=2014).long(level="index")
    assert not np.allclose(nominal["score"], a["score"])


def test_export_csv_and_parquet(db, tmp_path):
    _store(db)
    build_index(db, _spec(10))
    stored = scores(db, level=None)
    n_csv = export_scores(db, tmp_path / "s.csv", "csv")
    n_pq = export_scores(db, tmp_path / "s.parquet", "parquet")
    assert n_csv == n_pq == len(stored)
    back = pd.read_parquet(tmp_path / "s.parquet")
    pd.testing.assert_frame_equal(back, stored, check_dtype=False)
    assert pd.read_csv(tmp_path / "s.csv")["rank_high"].tolist() == stored["rank_high"].tolist()


def test_no_run_is_a_clear_error(db):
    with pytest.raises(NotFound, match="index build"):
        scores(db, "CHN")


@pytest.fixture
def sqlite_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    database = Database(url)
    database.upgrade()
    _store(database)
    return url, tmp_path


def test_cli_build_show_sensitivity_export(sqlite_store):
    url, tmp = sqlite_store
    spec_file = tmp / "spec.yaml"
    text = _packaged_spec().read_text("utf-8")
    spec_file.write_text(text.replace("runs: 1000", "runs: 50"), "utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["index", "build", "--spec", str(spec_file), "--db", url])
    assert res.exit_code == 0, res.output
    assert "Indicators (correlation" in res.output and "screened out" in res.output
    res = runner.invoke(app, ["index", "build", "--spec", str(spec_file), "--db", url, "--json"])
    built = json.loads(res.output)
    corr = {r["indicator"]: r["correlation"] for r in built["indicators"] if r["actor"] == "CHN"}
    assert corr["res_vdem_corruption"] > 0 and built["screened"]["units"] >= 0
    res = runner.invoke(app, ["index", "show", "--actor", "CHN", "--year", "2013", "--json",
                              "--db", url])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert {r["node"] for r in rows} == {"influence"}
    first = rows[0]
    assert set(first) >= {"target", "score", "rank", "rank_low", "rank_high", "pillars", "domains"}
    assert first["rank"] == 1 and first["rank_low"] <= 1 <= first["rank_high"]
    assert set(first["pillars"]) <= {"attraction", "exposure", "pressure", "effect", "resilience"}
    assert all({"score", "rank", "rank_low", "rank_high"} <= set(v) for v in first["pillars"].values())
    res = runner.invoke(app, ["index", "show", "--actor", "CHN", "--year", "2013", "--level",
                              "pillar", "--json", "--db", url])
    assert {r["node"] for r in json.loads(res.output)} >= {"exposure", "resilience"}
    lower = runner.invoke(app, ["index", "show", "--actor", " chn", "--year", "2013", "--json",
                                "--db", url])  # any case: the same rows
    assert lower.exit_code == 0 and json.loads(lower.output) == rows
    res = runner.invoke(app, ["index", "show", "--actor", "XXX", "--db", url])
    assert res.exit_code == 1 and "unknown actor 'XXX': one of CHN" in res.output
    res = runner.invoke(app, ["index", "sensitivity", "--runs", "16", "--json", "--db", url,
                              "--spec", str(spec_file)])
    assert res.exit_code == 0, res.output
    table = pd.DataFrame(json.loads(res.output))
    assert set(table["factor"]) <= {"impute.method", "impute.absent", "normalise.method",
                                    "aggregate.method", "weights", "drop_one", "data_noise"}
    assert {"impute.absent", "data_noise"} <= set(table["factor"])  # data assumptions too
    assert set(table["node"]) == {"influence"}
    stored = stored_sensitivity(Database(url))  # same spec, same observations: kept with the run
    assert len(stored) >= len(table) and set(stored["n_base"]) == {16}
    out = tmp / "scores.parquet"
    res = runner.invoke(app, ["index", "export", "--format", "parquet", "--out", str(out),
                              "--db", url])
    assert res.exit_code == 0 and len(pd.read_parquet(out)) > 0
    res = runner.invoke(app, ["index", "show", "--actor", "CHN", "--year", "1990", "--db", url])
    assert res.exit_code == 1 and "no index score" in res.output


def _packaged_spec():
    from importlib import resources
    return resources.files("sharppower").joinpath("specs", "influence.yaml")


def test_one_year_recompute_screens_like_the_full_panel():
    from sharppower.index import execute
    from sharppower.index.synthetic import panel, tiny_spec

    stages = {**tiny_spec({"reach": {"d1": ["a"]}}).log(),
              "screen": {"method": "coverage", "unit_threshold": 0.5, "section_threshold": 0.75}}
    spec = tiny_spec({"reach": {"d1": ["a"], "d2": ["c"]}}, {}, stages=stages)
    rows = {("CHN", t, 2019): {"a": i, "c": i * 2} for i, t in enumerate(["AAA", "BBB", "CCC"])}
    rows |= {("CHN", t, 2020): {"c": i} for i, t in enumerate(["AAA", "BBB", "CCC"])}
    inputs = panel(rows, spec.indicators)
    full = execute(spec, inputs)
    quick = run_index(None, spec, actor="CHN", year=2020, inputs=inputs)
    # in 2020 the data reach 1 of the 2 domains the actor has: reach is not scored that year
    assert full.long(level="pillar", year=2020).empty
    assert quick.long(level="pillar", year=2020).empty
    assert len(full.long(level="pillar", year=2019)) == 3


def test_the_build_fingerprints_do_not_depend_on_the_order_rows_are_summed_in(db):
    """The index's state and the stored profiles' inputs sum the observations' values as
    exact decimals: the same rows stored in another physical order (PostgreSQL's parallel
    scans add them in a different order from one read to the next) give the same
    fingerprints. As floats, 1 + 1 + 1e16 - 1e16 is 2 and 1e16 + 1 + 1 - 1e16 is 0."""
    from sharppower.index.build import fingerprint
    from sharppower.web.profiles import INPUTS, input_parts

    spec = load_spec()
    code = spec.needed[0]
    targets = ["KEN", "GHA", "UGA", "TZA"]
    values = dict(zip(targets, [1.0, 1.0, 1e16, -1e16], strict=True))

    def stored(order: list[str]) -> tuple[str, list]:
        rows = [{"id": targets.index(t) + 1, "actor": "CHN", "target": t, "year": 2020,
                 "indicator": code, "value": values[t], "source": "synthetic"} for t in order]
        with db.begin() as conn:
            conn.execute(observations.delete())
            for row in rows:  # one statement each: the rows land in this order
                conn.execute(observations.insert(), row)
        return fingerprint(db, spec), input_parts(db, INPUTS)

    first = stored(targets)
    assert float(first[1][0][2]) == 2.0  # the profiles' inputs: the exact sum
    assert stored(["UGA", "KEN", "GHA", "TZA"]) == first
